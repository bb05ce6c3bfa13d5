// SoftmaxRegression: the chapter's model (W, b, net, loss) as one object sized by the data set.
// W ~ Normal(0, std²) [inputs, classes], b = 0 [classes]; naive (the chapter's) or stable numerics.

import { normal, zeros } from "../tensor/create.ts";
import type { IndexLike } from "../tensor/ops.ts";
import type { Rng } from "../tensor/random.ts";
import { formatShape } from "../tensor/shape.ts";
import { Tensor } from "../tensor/tensor.ts";
import { crossEntropy, softmaxCrossEntropy } from "./loss.ts";
import { softmax, stableSoftmax } from "./softmax.ts";

/**
 * "naive": the chapter's — `forward` returns softmax probabilities and `loss` is `crossEntropy`.
 * "stable": `forward` returns logits and `loss` is the fused `softmaxCrossEntropy` (finite for any finite logits).
 */
export type SoftmaxNumerics = "naive" | "stable";

export interface SoftmaxRegressionOptions {
  /** Inputs per example (784 for 28×28 images). */
  numInputs: number;
  /** Number of classes. */
  numOutputs: number;
  /** Standard deviation of the initial weights; default 0.01 (the chapter's). */
  std?: number;
  /** Generator for the initial weights; default `defaultRng()`. */
  rng?: Rng;
  /** Default "stable". */
  numerics?: SoftmaxNumerics;
}

/**
 * Softmax regression ŷ = softmax(X·W + b). X [n, numInputs] (or anything reshapeable to it) → [n, numOutputs].
 * `net` and `loss` plug straight into `train`. d2l: `W`, `b`, `net` and `cross_entropy` of §3.6.
 */
export class SoftmaxRegression {
  /** Weights [numInputs, numOutputs]. */
  readonly W: Tensor;
  /** Bias [numOutputs]. */
  readonly b: Tensor;
  readonly numInputs: number;
  readonly numOutputs: number;
  readonly numerics: SoftmaxNumerics;

  /** Draws W and sets b = 0; `initial` (used by `fromParams`) gives their values instead, drawing nothing. */
  constructor(options: SoftmaxRegressionOptions, initial?: { W: Tensor; b: Tensor }) {
    const { numInputs, numOutputs, std = 0.01, rng, numerics = "stable" } = options;
    for (const [name, value] of [["numInputs", numInputs], ["numOutputs", numOutputs]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`SoftmaxRegression: ${name} must be a positive integer, got ${value}`);
    }
    if (initial) {
      this.W = new Tensor(Float32Array.from(initial.W.data), [numInputs, numOutputs], { requiresGrad: true });
      this.b = new Tensor(Float32Array.from(initial.b.data), [numOutputs], { requiresGrad: true });
    } else {
      this.W = normal(0, std, [numInputs, numOutputs], { requiresGrad: true, ...(rng ? { rng } : {}) });
      this.b = zeros([numOutputs], { requiresGrad: true });
    }
    this.numInputs = numInputs;
    this.numOutputs = numOutputs;
    this.numerics = numerics;
  }

  /** A model around existing parameters W [inputs, classes] and b [classes] (e.g. loaded from a file). */
  static fromParams(W: Tensor, b: Tensor, options: { numerics?: SoftmaxNumerics } = {}): SoftmaxRegression {
    if (W.ndim !== 2 || b.ndim !== 1 || b.shape[0] !== W.shape[1]) {
      throw new RangeError(`SoftmaxRegression.fromParams: expected W [inputs, classes] and b [classes], got ${formatShape(W.shape)} and ${formatShape(b.shape)}`);
    }
    return new SoftmaxRegression({ numInputs: W.shape[0]!, numOutputs: W.shape[1]!, ...options }, { W, b });
  }

  /** The parameters, in the order `sgd` and model files use: [W, b]. */
  params(): Tensor[] {
    return [this.W, this.b];
  }

  /** X·W + b: the unnormalised scores. X [n, numInputs] → [n, numOutputs]. */
  logits(X: Tensor): Tensor {
    return X.reshape([-1, this.numInputs]).matmul(this.W).add(this.b);
  }

  /** Probabilities (naive numerics, the chapter's `net`) or logits (stable numerics): what `loss` expects. */
  forward(X: Tensor): Tensor {
    const logits = this.logits(X);
    return this.numerics === "naive" ? softmax(logits) : logits;
  }

  /** Class probabilities, always computed stably. X [n, numInputs] → [n, numOutputs], rows sum to 1. */
  probabilities(X: Tensor): Tensor {
    return stableSoftmax(this.logits(X));
  }

  /** `forward` as a plain function, for `train(model.net, ...)`. d2l: `net`. */
  readonly net = (X: Tensor): Tensor => this.forward(X);

  /** The loss matching `forward`'s output: crossEntropy (naive) or softmaxCrossEntropy (stable). [n] per example. */
  readonly loss = (yHat: Tensor, y: IndexLike): Tensor =>
    this.numerics === "naive" ? crossEntropy(yHat, y) : softmaxCrossEntropy(yHat, y);
}
