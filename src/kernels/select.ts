// Chooses the Kernels set at start-up: the WebAssembly SIMD kernels when the runtime has SIMD and the
// module is built (with fused multiply-adds where it has relaxed SIMD too), else the reference loops.
// Returns the choice and why; the caller logs it once.

import type { Kernels } from "./kernels.ts";
import { ref } from "./ref.ts";
import { loadWasmModule, WasmNotBuiltError, type WasmSource } from "./wasm/load.ts";
import { createKernelsInstance } from "./wasm/module.ts";
import { probeRelaxedSimd, probeSharedMemory, probeSimd } from "./wasm/probe.ts";
import { createWasmKernels } from "./wasm/wasmKernels.ts";

/** "auto": the fastest set that works here; "ref": the reference loops; "wasm": the SIMD kernels or an error. */
export type KernelsChoice = "auto" | "ref" | "wasm";

export interface KernelsSelection {
  /** The set to install with `setKernels`; `kernels.name` is "ref", "wasm-simd" or "wasm-relaxed-simd". */
  kernels: Kernels;
  /** One sentence saying why this set was chosen, for the caller's log line. */
  reason: string;
}

export interface SelectKernelsOptions {
  /**
   * Where the SIMD module comes from; default the files `npm run build` writes (build/wasm/). Given, that
   * module is used as the plain SIMD build ("wasm-simd").
   */
  wasm?: WasmSource;
  /**
   * Fuse the products' multiply-adds where the runtime has relaxed SIMD and shared memory (default true): the
   * "wasm-relaxed-simd" set, one rounding per multiply-add and half the instructions. False: "wasm-simd".
   */
  fused?: boolean;
  /** Turns on runtime features first, e.g. `nodeThreads` (relaxed SIMD is behind a flag in Node 20). */
  host?: { enableFeatures?(): void };
}

/**
 * Picks a Kernels set. "wasm" throws when SIMD is missing (saying so) or the module is not built
 * (`WasmNotBuiltError`, naming the file); "auto" falls back to the reference loops in both cases and says why.
 * Typical use: `const { kernels, reason } = await selectKernels("auto"); setKernels(kernels); log(\`kernels: ${kernels.name}\`)`.
 */
export async function selectKernels(choice: KernelsChoice = "auto", options: SelectKernelsOptions = {}): Promise<KernelsSelection> {
  if (choice === "ref") return { kernels: ref, reason: "the reference kernels were asked for" };
  if (choice !== "auto" && choice !== "wasm") {
    throw new RangeError(`selectKernels: unknown choice ${JSON.stringify(choice)}; expected "auto", "ref" or "wasm"`);
  }
  const simd = probeSimd();
  if (!simd.ok) {
    if (choice === "wasm") throw new Error(`the WebAssembly SIMD kernels were asked for, but ${simd.reason}; use the reference kernels (ref) here`);
    return { kernels: ref, reason: `${simd.reason}; using the reference kernels` };
  }
  options.host?.enableFeatures?.();
  const fused = options.fused !== false && options.wasm === undefined && probeRelaxedSimd().ok && probeSharedMemory().ok;
  try {
    // The relaxed build is also the threads build: its memory is shared (and a single thread uses it alone).
    const module = await loadWasmModule(fused ? "relaxed" : "simd", options.wasm);
    const instance = await createKernelsInstance(module, { bytes: 1 << 22, shared: fused });
    const reason = fused ? `${simd.reason}, with relaxed SIMD's fused multiply-add` : simd.reason;
    return { kernels: createWasmKernels(instance), reason };
  } catch (error) {
    if (choice === "auto" && error instanceof WasmNotBuiltError) {
      return { kernels: ref, reason: `${error.message}; using the reference kernels` };
    }
    throw error;
  }
}
