// A model's accuracy on a whole split, computed by the very call train makes after each epoch
// (evaluateAccuracy over in-order batches), plus what that call saw: every example's predicted class,
// the confusion matrix and per-class accuracy. Isomorphic.

import { DataIter } from "../data/iterator.ts";
import type { DataSplit } from "../data/split.ts";
import { evaluateAccuracy } from "./evaluate.ts";
import type { Net } from "./types.ts";

/** One class's share of a split and how much of it the model got right. */
export interface ClassAccuracy {
  count: number;
  correct: number;
  /** correct / count; NaN when the split holds no example of the class. */
  accuracy: number;
}

/** Everything `softmax eval` reports, from one pass over the split. */
export interface SplitEvaluation {
  /** `evaluateAccuracy`'s result: exactly the number train records as test accuracy. */
  accuracy: number;
  correct: number;
  total: number;
  /** Predicted class of every example, in file order. */
  predictions: Int32Array;
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
  perClass: ClassAccuracy[];
}

/**
 * Evaluates `net` on `split` in file order, `batchSize` examples at a time, through `evaluateAccuracy`
 * itself (a recording wrapper keeps each batch's argmax), so the accuracy is bit for bit the test
 * accuracy `train` reports for the same weights, numerics and batch size.
 */
export function evaluateSplit(net: Net, split: DataSplit, batchSize: number): SplitEvaluation {
  const predictions = new Int32Array(split.n);
  let at = 0;
  const recording: Net = (X) => {
    const out = net(X);
    predictions.set(out.argmax(1), at);
    at += out.shape[0] ?? 0;
    return out;
  };
  const accuracy = evaluateAccuracy(recording, new DataIter(split, { batchSize, shuffle: false }));
  return { ...tally(split, predictions), accuracy };
}

/**
 * The SplitEvaluation of predictions made elsewhere (e.g. the resident trainer's `testPredictions`, which
 * equal evaluateSplit's where its evaluation matches the Kernels): accuracy = correct / n, as
 * evaluateAccuracy's sums give it.
 */
export function evaluationFromPredictions(split: DataSplit, predictions: Int32Array): SplitEvaluation {
  if (predictions.length !== split.n) throw new RangeError(`evaluationFromPredictions: ${predictions.length} predictions for ${split.n} examples`);
  const counts = tally(split, predictions);
  return { ...counts, accuracy: counts.correct / split.n };
}

/** Everything but the accuracy, from the predictions and the split's labels. */
function tally(split: DataSplit, predictions: Int32Array): Omit<SplitEvaluation, "accuracy"> {
  const k = split.numClasses;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < split.n; i++) {
    const t = split.labels[i] as number;
    const p = predictions[i] as number;
    const row = confusion[t];
    if (row && p < k) row[p] = (row[p] ?? 0) + 1;
    if (t === p) correct++;
  }
  const perClass = confusion.map((row, t) => {
    const count = row.reduce((a, b) => a + b, 0);
    const right = row[t] ?? 0;
    return { count, correct: right, accuracy: count > 0 ? right / count : Number.NaN };
  });
  return { correct, total: split.n, predictions, confusion, perClass };
}
