// The current Kernels set: chosen once at start-up (setKernels), read by every op (getKernels).
// Starts as the reference loops; a faster set is installed by whoever probes for it, never silently here.

import type { Kernels } from "./kernels.ts";
import { ref } from "./ref.ts";

let current: Kernels = ref;

/** Installs the kernel set every op uses from now on; returns the one it replaces. */
export function setKernels(kernels: Kernels): Kernels {
  const previous = current;
  current = kernels;
  return previous;
}

/** The kernel set in use (the reference loops unless `setKernels` was called). */
export function getKernels(): Kernels {
  return current;
}
