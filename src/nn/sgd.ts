// Minibatch stochastic gradient descent, the chapter's updater.

import { getKernels } from "../kernels/current.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** Applies one update given the number of examples the gradients were summed over. d2l: `updater(batch_size)`. */
export type Updater = (batchSize: number) => void;

/**
 * Returns the updater `(batchSize) => void` that steps each parameter by −lr · grad / batchSize and
 * clears its gradient. d2l: `sgd(params, lr, batch_size)` (§3.2) wrapped as `updater` (§3.6).
 * NOTE: clearing sets `.grad` to null (PyTorch's `set_to_none`); parameters without a gradient are skipped.
 */
export function sgd(params: readonly Tensor[], lr: number): Updater {
  if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`sgd: lr must be a finite number >= 0, got ${lr}`);
  return (batchSize: number) => {
    if (!(batchSize > 0)) throw new RangeError(`sgd: batchSize must be positive, got ${batchSize}`);
    const kernels = getKernels();
    for (const param of params) {
      if (param.grad === null) continue;
      // param −= lr · grad / batchSize, in place (the chapter's `with torch.no_grad(): param -= ...`).
      kernels.axpy(-lr / batchSize, param.grad.data, param.data, param.size);
      param.grad = null;
    }
  };
}
