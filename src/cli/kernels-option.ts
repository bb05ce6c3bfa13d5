// The --kernels flag: which arithmetic kernels a command installs once at start-up (WebAssembly SIMD or
// the reference loops), how the choice is logged, and which set reproduces a model file's numbers.

import { setKernels } from "../kernels/current.ts";
import { selectKernels } from "../kernels/select.ts";
import type { KernelsChoice } from "../kernels/select.ts";
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

/** The installed set: its name ("ref", "wasm-simd"), why it was chosen, and the explicit choice that gives it again. */
export interface InstalledKernels {
  name: string;
  reason: string;
  /** "ref" or "wasm": what a worker thread passes to `selectKernels` to get the very same set. */
  exact: KernelsChoice;
}

/** The explicit choice that selects the kernel set named `name` (as recorded in model files). */
export function choiceForName(name: string): KernelsChoice | undefined {
  if (name === "ref") return "ref";
  if (name === "wasm-simd") return "wasm";
  return undefined;
}

/** Selects and installs the kernels for this thread (`selectKernels` + `setKernels`). */
export async function installKernels(choice: KernelsChoice): Promise<InstalledKernels> {
  const { kernels, reason } = await selectKernels(choice);
  setKernels(kernels);
  return { name: kernels.name, reason, exact: choiceForName(kernels.name) ?? "ref" };
}

/**
 * Installs the kernels to evaluate `model` with: `--kernels` when given, else the set the model was trained
 * with, so evaluation repeats training's float arithmetic. Returns a note when that set is not available
 * here and another one is used (results may then differ in the last bits).
 */
export async function installKernelsForModel(model: SoftmaxModel, flag: string | undefined): Promise<{ installed: InstalledKernels; note?: string }> {
  if (flag !== undefined) return { installed: await installKernels(flag as KernelsChoice) };
  const trained = typeof model.training["kernels"] === "string" ? (model.training["kernels"] as string) : undefined;
  const wanted = trained === undefined ? undefined : choiceForName(trained);
  if (wanted === undefined) return { installed: await installKernels("auto") };
  try {
    return { installed: await installKernels(wanted) };
  } catch (error) {
    const installed = await installKernels("auto");
    const why = error instanceof Error ? error.message : String(error);
    return { installed, note: `the model was trained with the ${trained} kernels, which are not available here (${why}); using ${installed.name}, so results may differ in the last bits` };
  }
}
