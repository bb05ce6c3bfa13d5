// predict: the first test batch's true and predicted labels (d2l shows them as image titles).

import { getFashionMnistLabels } from "../data/datasets.ts";
import { noGrad } from "../tensor/graph.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { Batches, Net } from "./types.ts";

export interface PredictOptions {
  /** Class names of class indices; default the Fashion-MNIST names (`getFashionMnistLabels`). */
  labels?: (indices: ArrayLike<number>) => string[];
}

/** The first `n` examples of a batch with their labels and the net's predictions. */
export interface Predictions {
  /** The examples' inputs, X[0:n] (reshape to [n, 28, 28] to show them). */
  X: Tensor;
  /** True class indices [n]. */
  trues: Int32Array;
  /** Predicted class indices [n] (argmax of the net's output). */
  preds: Int32Array;
  trueNames: string[];
  predNames: string[];
  /** d2l's image titles: `true + "\n" + pred`. */
  titles: string[];
}

/**
 * Predicts the first `n` examples of the first batch of `testIter`. Draws nothing: pass `X` and `titles`
 * to `showImages`. d2l: `predict_ch3(net, test_iter, n=6)` (§3.6).
 */
export function predict(net: Net, testIter: Batches, n = 6, options: PredictOptions = {}): Predictions {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`predict: n must be a positive integer, got ${n}`);
  const names = options.labels ?? getFashionMnistLabels;
  for (const [X, y] of testIter) {
    const count = Math.min(n, y.length);
    const rowSize = X.size / Math.max(X.shape[0]!, 1);
    const rows = new Tensor(X.data.slice(0, count * rowSize), [count, ...X.shape.slice(1)]);
    const preds = noGrad(() => net(rows)).argmax(1);
    const trues = y.slice(0, count);
    const trueNames = names(trues);
    const predNames = names(preds);
    return { X: rows, trues, preds, trueNames, predNames, titles: trueNames.map((t, i) => `${t}\n${predNames[i]}`) };
  }
  throw new RangeError("predict: the test iterator yielded no batches");
}
