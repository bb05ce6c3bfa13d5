// The --kernels flag: which arithmetic kernels a command installs once at start-up (WebAssembly SIMD or
// the reference loops), how the choice is logged, and which set reproduces a model file's numbers.

import { setKernels } from "../kernels/current.ts";
import { selectKernels, type KernelsChoice, type KernelsSelection } from "../kernels/select.ts";
import { nodeThreads } from "../kernels/wasm/nodeThreads.ts";
import type { SoftmaxModel } from "../io/model.ts";
import type { OptionSpec } from "./command.ts";

export const KERNEL_CHOICES = ["auto", "ref", "wasm"] as const satisfies readonly KernelsChoice[];

/** Spread into a command's options to accept `--kernels auto|ref|wasm`. */
export const kernelsOption = {
  kernels: {
    type: "string",
    valueName: "SET",
    choices: KERNEL_CHOICES,
    description: "Arithmetic kernels: wasm (WebAssembly SIMD, built by npm run build), ref (plain loops), or auto (wasm when it works here)",
  },
} as const satisfies Record<string, OptionSpec>;

/** The installed set: its name ("ref", "wasm-simd", "wasm-relaxed-simd") and why it was chosen. */
export interface InstalledKernels {
  name: string;
  reason: string;
}

/** The choice and build that select the kernel set named `name` (as model files record it). */
function choiceForName(name: string): { choice: KernelsChoice; fused: boolean } | undefined {
  if (name === "ref") return { choice: "ref", fused: false };
  if (name === "wasm-simd") return { choice: "wasm", fused: false };
  if (name === "wasm-relaxed-simd") return { choice: "wasm", fused: true };
  return undefined;
}

/**
 * Selects kernels in this Node process: `choice`, with fused multiply-adds where relaxed SIMD works (on
 * Node 20 it is turned on first).
 */
function selectNodeKernels(choice: KernelsChoice, fused = true, threads = 1): Promise<KernelsSelection> {
  return selectKernels(choice, { fused, host: nodeThreads, threads });
}

/**
 * Selects the kernel set named `name` again (a training thread's copy of the main thread's set, or a model's
 * set), its products on `threads` threads. Where that build cannot run here, the nearest one comes back under its own name.
 */
export function selectNamedKernels(name: string, threads = 1): Promise<KernelsSelection> {
  const exact = choiceForName(name);
  if (exact === undefined) throw new RangeError(`unknown kernels ${JSON.stringify(name)}; expected ref, wasm-simd or wasm-relaxed-simd`);
  return selectNodeKernels(exact.choice, exact.fused, threads);
}

/** Selects and installs the kernels for this thread (`selectKernels` + `setKernels`). */
export async function installKernels(choice: KernelsChoice): Promise<InstalledKernels> {
  const { kernels, reason } = await selectNodeKernels(choice);
  setKernels(kernels);
  return { name: kernels.name, reason };
}

/**
 * Installs the kernels to evaluate `model` with: `--kernels` when given, else the set the model was trained
 * with, so evaluation repeats training's float arithmetic. Returns a note when that set is not available
 * here and another one is used (results may then differ in the last bits).
 */
export async function installKernelsForModel(model: SoftmaxModel, flag: string | undefined): Promise<{ installed: InstalledKernels; note?: string }> {
  if (flag !== undefined) return { installed: await installKernels(flag as KernelsChoice) };
  const trained = typeof model.training["kernels"] === "string" ? (model.training["kernels"] as string) : undefined;
  if (trained === undefined || choiceForName(trained) === undefined) return { installed: await installKernels("auto") };
  let selection: KernelsSelection;
  try {
    selection = await selectNamedKernels(trained);
  } catch (error) {
    const installed = await installKernels("auto");
    const why = error instanceof Error ? error.message : String(error);
    return { installed, note: `the model was trained with the ${trained} kernels, which are not available here (${why}); using ${installed.name}, so results may differ in the last bits` };
  }
  setKernels(selection.kernels);
  const installed = { name: selection.kernels.name, reason: selection.reason };
  if (installed.name === trained) return { installed };
  return { installed, note: `the model was trained with the ${trained} kernels, which this runtime cannot run; using ${installed.name}, so results may differ in the last bits` };
}
