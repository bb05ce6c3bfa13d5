// What the model-reading commands (eval, predict, train --init) share: file checks that turn a missing
// path into a usage error (exit 2), loading a model file, and which data set a model belongs to.

import { stat } from "node:fs/promises";
import { isDatasetName } from "../data/datasets.ts";
import type { ModelExpectation, SoftmaxModel } from "../io/model.ts";
import { loadModel } from "../io/files.ts";
import type { OptionSpec } from "./command.ts";
import { UsageError } from "./errors.ts";

/** The `--model FILE` option. */
export const modelOption = {
  model: { type: "string", valueName: "FILE", description: "Model file written by softmax train (runs/<time>/model.safetensors)" },
} as const satisfies Record<string, OptionSpec>;

/**
 * Throws a UsageError (exit 2) naming `what` when `path` does not exist or is not a file: a wrong path is
 * a mistake in the command line. A file that exists but is malformed fails later, with exit 1.
 */
export async function requireFile(command: string, what: string, path: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new UsageError(`softmax ${command}: ${what} ${path}: no such file`);
  if (!st.isFile()) throw new UsageError(`softmax ${command}: ${what} ${path}: not a file`);
}

/** Throws a UsageError (exit 2) when `--data DIR` names no folder. */
export async function requireDataFolder(command: string, dir: string | undefined): Promise<void> {
  if (dir === undefined) return;
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new UsageError(`softmax ${command}: --data ${dir}: no such folder; expected a folder holding the four IDX files`);
  if (!st.isDirectory()) throw new UsageError(`softmax ${command}: --data ${dir}: not a folder; expected a folder holding the four IDX files`);
}

/** `--model FILE`: required, must exist (exit 2 otherwise); then loaded and validated (exit 1 when malformed). */
export async function loadModelOption(command: string, path: string | undefined, expect?: ModelExpectation): Promise<SoftmaxModel> {
  if (path === undefined) throw new UsageError(`softmax ${command}: --model FILE is required (a model.safetensors written by softmax train)`);
  await requireFile(command, "--model", path);
  return loadModel(path, expect ? { expect } : {});
}

/**
 * The data flags to use with a model: as given, or when neither --data nor --dataset is, the data set
 * the model was trained on (a known name, else the folder it was read from). The `note` says which.
 */
export function dataValuesForModel<V extends { dataset?: string | undefined; data?: string | undefined }>(
  values: V,
  model: SoftmaxModel,
): { values: V; note?: string } {
  if (values.dataset !== undefined || values.data !== undefined) return { values };
  const dataset = model.training["dataset"];
  if (typeof dataset === "string" && isDatasetName(dataset)) return { values: { ...values, dataset } };
  const dir = model.training["dataDir"];
  if (typeof dir === "string" && dir !== "") {
    return { values: { ...values, data: dir }, note: `using the data the model was trained on: ${dir} (pass --data DIR for another folder)` };
  }
  return { values };
}
