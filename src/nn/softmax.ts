// Softmax and log-softmax over the last axis, composed of primitive ops (no backward code here).
// `softmax` is the chapter's naive version; `stableSoftmax` and `logSoftmax` subtract the row max.

import type { Tensor } from "../tensor/tensor.ts";

/**
 * The chapter's softmax, exactly: exponentiate, sum each row, divide. X [n, q] → [n, q], rows sum to 1.
 * It overflows (exp(89) = ∞ in float32, then ∞/∞ = NaN) for large logits: use `stableSoftmax` for those.
 * d2l: `softmax` (§3.6). NOTE: over the last axis, which is d2l's axis 1 for the [n, q] batches it uses.
 */
export function softmax(X: Tensor): Tensor {
  const XExp = X.exp();
  const partition = XExp.sum(-1, { keepdim: true });
  return XExp.div(partition); // The broadcasting mechanism is applied here
}

/**
 * Softmax that cannot overflow: softmax(x) = softmax(x − max x), so the largest exponent is exp(0) = 1.
 * X [n, q] → [n, q]. The max is detached: mathematically the shift does not change the result or its gradient.
 * d2l: the LogSumExp discussion of §3.7 (PyTorch: `torch.softmax`).
 */
export function stableSoftmax(X: Tensor): Tensor {
  const shifted = X.sub(X.max(-1, { keepdim: true }).detach());
  const XExp = shifted.exp();
  return XExp.div(XExp.sum(-1, { keepdim: true }));
}

/**
 * log softmax(x) = (x − m) − log Σ exp(x − m) with m the row max: finite wherever softmax underflows to 0.
 * X [n, q] → [n, q]. d2l: the LogSumExp trick of §3.7 (PyTorch: `torch.log_softmax`).
 */
export function logSoftmax(X: Tensor): Tensor {
  const shifted = X.sub(X.max(-1, { keepdim: true }).detach());
  return shifted.sub(shifted.exp().sum(-1, { keepdim: true }).log());
}
