// Reads and checks the training form: the CLI's train flags and ranges (epochs ≥ 1, lr > 0, batch size
// ≥ 1, seed 0..2³²−1, threads 1..4 or auto), with one message naming the field when a value is out of range.

import { DEFAULT_SHARDS } from "../../src/kernels/wasm/resident.ts";
import type { TrainSettings } from "../messages.ts";

const MAX_SEED = 4294967295;

function field(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement || element instanceof HTMLSelectElement ? element.value.trim() : "";
}

/** The form's settings, or the first problem found. */
export function readSettings(form: HTMLFormElement): { settings: TrainSettings } | { error: string } {
  const epochs = Number(field(form, "epochs"));
  const lr = Number(field(form, "lr"));
  const batchSize = Number(field(form, "batchSize"));
  const seed = Number(field(form, "seed"));
  const numerics = field(form, "softmax");
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 200)) return { error: `Epochs must be a whole number from 1 to 200 (got "${field(form, "epochs")}").` };
  if (!(Number.isFinite(lr) && lr > 0)) return { error: `Learning rate must be a number above 0, e.g. 0.1 (got "${field(form, "lr")}").` };
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 60000)) return { error: `Batch size must be a whole number from 1 to 60000 (got "${field(form, "batchSize")}").` };
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) return { error: `Seed must be a whole number from 0 to ${MAX_SEED} (got "${field(form, "seed")}").` };
  if (numerics !== "stable" && numerics !== "naive") return { error: `Softmax must be "stable" or "naive".` };
  const trainer = field(form, "trainer");
  if (trainer !== "autograd" && trainer !== "fast") return { error: `Trainer must be "autograd" or "fast".` };
  if (trainer === "fast" && numerics !== "stable") return { error: "The fast trainer computes the stable softmax only: choose the stable softmax, or the chapter (autograd) trainer for the naive one." };
  const rawThreads = field(form, "threads");
  const threads = rawThreads === "auto" ? "auto" : Number(rawThreads);
  if (threads !== "auto" && !(Number.isInteger(threads) && threads >= 1 && threads <= DEFAULT_SHARDS)) return { error: `Threads must be auto or a whole number from 1 to ${DEFAULT_SHARDS} (got "${rawThreads}").` };
  return { settings: { epochs, lr, batchSize, seed, numerics, trainer, threads } };
}
