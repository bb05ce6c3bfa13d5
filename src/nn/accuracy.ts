// accuracy: how many predictions match the labels (a count, as in d2l; divide by n for a rate).

import type { IndexLike } from "../tensor/ops.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * The number of correct predictions. yHat [n, q] scores (probabilities or logits: the argmax is the
 * same) or [n] predicted classes; y [n] class indices. d2l: `accuracy(y_hat, y)` (§3.6), a count.
 */
export function accuracy(yHat: Tensor, y: IndexLike): number {
  return countCorrect(predictions(yHat), y);
}

/** The predicted class of each example: the argmax of each row of yHat [n, q], or yHat [n] itself. */
export function predictions(yHat: Tensor): Int32Array | Float32Array {
  return yHat.ndim > 1 && yHat.shape[1]! > 1 ? yHat.argmax(1) : yHat.data;
}

/** How many of `predicted` equal the labels `y`. */
export function countCorrect(predicted: ArrayLike<number>, y: IndexLike): number {
  if (predicted.length !== y.length) {
    throw new RangeError(`accuracy: ${predicted.length} predictions but ${y.length} labels`);
  }
  let correct = 0;
  // d2l compares after casting the predictions to the labels' integer type.
  for (let i = 0; i < y.length; i++) if (Math.trunc(predicted[i]!) === y[i]) correct++;
  return correct;
}
