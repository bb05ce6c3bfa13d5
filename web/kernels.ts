// Which kernels the worker trains with: chosen once at start-up by the library's probe (WebAssembly SIMD
// when the browser has it and the module is built, else the reference loops), installed with setKernels,
// and reported to the page (name and reason) so it can say which ones run. Never a silent fallback.

import { ref } from "../src/kernels/ref.ts";
import { setKernels } from "../src/kernels/current.ts";
import { selectKernels } from "../src/kernels/select.ts";

export interface KernelsChoice {
  /** "wasm-relaxed-simd", "wasm-simd" or "ref", as model files record it. */
  name: string;
  reason: string;
}

/** Installs the fastest kernel set that works in this browser and says which and why. */
export async function installKernels(): Promise<KernelsChoice> {
  try {
    const { kernels, reason } = await selectKernels("auto");
    setKernels(kernels);
    return { name: kernels.name, reason };
  } catch (error) {
    // "auto" already falls back when SIMD is missing or the module is not built; anything else (a server
    // error, a corrupt module) is reported to the page and the reference loops run.
    setKernels(ref);
    const why = error instanceof Error ? error.message : String(error);
    return { name: ref.name, reason: `the WebAssembly SIMD kernels failed to load (${why}); using the reference kernels` };
  }
}
