// Chooses the Kernels set at start-up: the WebAssembly SIMD kernels when the runtime has SIMD and the
// module is built (with fused multiply-adds where it has relaxed SIMD too), else the reference loops.
// Returns the choice and why; the caller logs it once.

import type { Kernels } from "./kernels.ts";
import { ref } from "./ref.ts";
import { loadWasmModule, WasmNotBuiltError, type WasmSource } from "./wasm/load.ts";
import { createKernelsInstance } from "./wasm/module.ts";
import { probeRelaxedSimd, probeSharedMemory, probeSimd } from "./wasm/probe.ts";
import { MAX_THREADS } from "./wasm/plan.ts";
import { ProductTeam } from "./wasm/productTeam.ts";
import { chooseThreads, type ThreadHost } from "./wasm/threads.ts";
import { createWasmKernels } from "./wasm/wasmKernels.ts";

/** "auto": the fastest set that works here; "ref": the reference loops; "wasm": the SIMD kernels or an error. */
export type KernelsChoice = "auto" | "ref" | "wasm";

export interface KernelsSelection {
  /** The set to install with `setKernels`; `kernels.name` is "ref", "wasm-simd" or "wasm-relaxed-simd". */
  kernels: Kernels;
  /** One sentence saying why this set was chosen, for the caller's log line. */
  reason: string;
  /** Threads the set's gathered products run on (1 unless `threads` was asked for and can run). */
  threads: number;
  /** Why that many threads, e.g. "2 threads on 2 cores" or "one thread: …" (where a count was refused). */
  threadsReason: string;
  /** Stops the set's helper threads (they never keep a process alive; closing frees them sooner). */
  close(): Promise<void>;
}

/** Most threads "auto" starts, and why (compiledStep.ts): the limit `chooseThreads` takes. */
export const AUTO_THREADS = { max: 4, why: "a batch of 256 has 4 tiles of 64 rows" } as const;

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
  /** Turns on runtime features first, e.g. `nodeThreads` (relaxed SIMD is behind a flag in Node 20), and starts `threads`. */
  host?: { enableFeatures?(): void } | ThreadHost;
  /**
   * Threads for a batch's tiles in a compiled step and for the gathered products (the chapter's X·W and Xᵀ·G on
   * a data batch): a count, or "auto" (every core up to 4, the tiles of a batch of 256); default 1. Needs the
   * relaxed set (shared memory) and a `host` that starts threads; elsewhere one thread, and `reason` says why.
   * The results are one thread's, bit for bit.
   */
  threads?: number | "auto";
}

/**
 * Picks a Kernels set. "wasm" throws when SIMD is missing (saying so) or the module is not built
 * (`WasmNotBuiltError`, naming the file); "auto" falls back to the reference loops in both cases and says why.
 * Typical use: `const { kernels, reason } = await selectKernels("auto"); setKernels(kernels); log(\`kernels: ${kernels.name}\`)`.
 */
export async function selectKernels(choice: KernelsChoice = "auto", options: SelectKernelsOptions = {}): Promise<KernelsSelection> {
  if (choice === "ref") return single(ref, "the reference kernels were asked for", "one thread: the reference kernels run on one");
  if (choice !== "auto" && choice !== "wasm") {
    throw new RangeError(`selectKernels: unknown choice ${JSON.stringify(choice)}; expected "auto", "ref" or "wasm"`);
  }
  const simd = probeSimd();
  if (!simd.ok) {
    if (choice === "wasm") throw new Error(`the WebAssembly SIMD kernels were asked for, but ${simd.reason}; use the reference kernels (ref) here`);
    return single(ref, `${simd.reason}; using the reference kernels`, "one thread: the reference kernels run on one");
  }
  options.host?.enableFeatures?.();
  const fused = options.fused !== false && options.wasm === undefined && probeRelaxedSimd().ok && probeSharedMemory().ok;
  try {
    // The relaxed build is also the threads build: its memory is shared (and a single thread uses it alone).
    const module = await loadWasmModule(fused ? "relaxed" : "simd", options.wasm);
    const instance = await createKernelsInstance(module, { bytes: 1 << 22, shared: fused });
    const reason = fused ? `${simd.reason}, with relaxed SIMD's fused multiply-add` : simd.reason;
    const asked = options.threads ?? 1;
    const host = options.host !== undefined && "spawn" in options.host ? options.host : undefined;
    const { threads, reason: threadsReason } = fused
      ? chooseThreads(asked, host, asked === "auto" ? AUTO_THREADS : { max: MAX_THREADS, why: "the most the kernels' products split into" })
      : { threads: 1, reason: asked === 1 ? "one thread was asked for" : `one thread: ${plainWhy()}` };
    const said = asked === 1 ? reason : `${reason}; products on ${threadsReason}`;
    if (threads === 1) return single(createWasmKernels(instance), said, threadsReason);
    // The team allocates its blocks first, below the Kernels' tables and batches.
    const team = await ProductTeam.start(instance, module, host!, threads);
    return { kernels: createWasmKernels(instance, team), reason: said, threads, threadsReason, close: () => team.close() };
  } catch (error) {
    if (choice === "auto" && error instanceof WasmNotBuiltError) {
      return single(ref, `${error.message}; using the reference kernels`, "one thread: the reference kernels run on one");
    }
    throw error;
  }
}

/** Why the plain SIMD set runs alone: it has no shared memory, because the runtime has none or was not asked for it. */
function plainWhy(): string {
  const shared = probeSharedMemory();
  return shared.ok ? "the plain SIMD set has no shared memory" : shared.reason;
}

/** A selection on one thread, with nothing to close. */
function single(kernels: Kernels, reason: string, threadsReason: string): KernelsSelection {
  return { kernels, reason, threads: 1, threadsReason, close: async () => {} };
}
