// The losses of the chapter: its cross-entropy on probabilities, and the stable one on logits.
// Both return one loss per example ([n]); training sums them (d2l: `l.sum().backward()`).

import { softmaxCrossEntropy as fusedSoftmaxCrossEntropy, type IndexLike } from "../tensor/ops.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * The chapter's cross-entropy: −log of the probability given to the true class.
 * yHat [n, q] probabilities, y [n] class indices → [n]. If the softmax underflowed to 0, the loss is ∞.
 * d2l: `cross_entropy(y_hat, y) = - torch.log(y_hat[range(len(y_hat)), y])` (§3.6).
 */
export function crossEntropy(yHat: Tensor, y: IndexLike): Tensor {
  return yHat.pick(y).log().neg();
}

/**
 * Stable cross-entropy from logits: logsumexp(z_i) − z_i,y_i, always finite for finite logits.
 * logits [n, q], y [n] → [n]. One fused primitive with the analytic gradient softmax(z) − onehot(y);
 * equal to `logSoftmax(logits).pick(y).neg()`.
 * d2l: `nn.CrossEntropyLoss(reduction='none')` (§3.7), applied to the unnormalised outputs.
 */
export function softmaxCrossEntropy(logits: Tensor, y: IndexLike): Tensor {
  return fusedSoftmaxCrossEntropy(logits, y);
}
