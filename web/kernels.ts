// Which kernels the worker trains with: chosen once at start-up by the library's probe (WebAssembly SIMD
// when the browser has it and the module is built, else the reference loops), installed with setKernels,
// and reported to the page (name and reason) so it can say which ones run. Never a silent fallback.

import { ref } from "../src/kernels/ref.ts";
import { getKernels, setKernels } from "../src/kernels/current.ts";
import { selectKernels, type KernelsSelection } from "../src/kernels/select.ts";
import { webThreads } from "../src/kernels/wasm/webThreads.ts";

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

/** The last chapter runs' selection, kept for the next run asking the same threads (helpers started, tables in). */
let chapter: { threads: number | "auto"; selection: Promise<KernelsSelection> } | null = null;

/**
 * The kernels a chapter run trains with: the installed WebAssembly set again, on `threads` threads (its
 * recorded step's tiles shared among helper Web Workers) where the page is cross-origin isolated, else on
 * one, saying why. Any count gives the same numbers. The reference loops, if installed, stay on one thread.
 * The caller installs `kernels` for the run; a run asking other threads closes the previous selection.
 */
export function chapterKernels(threads: number | "auto"): Promise<KernelsSelection> {
  if (chapter === null || chapter.threads !== threads) {
    const previous = chapter;
    chapter = { threads, selection: selectChapterKernels(threads) };
    void previous?.selection.then((selection) => selection.close());
  }
  return chapter.selection;
}

async function selectChapterKernels(threads: number | "auto"): Promise<KernelsSelection> {
  const installed = getKernels();
  const alone = (why: string): KernelsSelection => ({ kernels: installed, reason: why, threads: 1, threadsReason: `one thread: ${why}`, close: async () => {} });
  if (installed.name === ref.name) return alone("the reference kernels run on one");
  try {
    return await selectKernels("wasm", { host: webThreads, threads });
  } catch (error) {
    return alone(`the threaded kernels failed to start (${error instanceof Error ? error.message : String(error)})`);
  }
}
