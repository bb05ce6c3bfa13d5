// The --trainer and --threads flags of `softmax train`: which training path runs (the chapter's autograd
// loop, or the resident WebAssembly trainer on threads), decided once before any data is read.

import { AUTO_THREADS } from "../kernels/select.ts";
import { DEFAULT_SHARDS, residentThreads } from "../kernels/wasm/resident.ts";
import { chooseThreads } from "../kernels/wasm/threads.ts";
import { nodeThreads } from "../kernels/wasm/nodeThreads.ts";
import type { SoftmaxNumerics } from "../nn/softmaxRegression.ts";
import type { OptionSpec } from "./command.ts";
import { UsageError } from "./errors.ts";

export const TRAINER_CHOICES = ["auto", "autograd", "fused"] as const;
export type TrainerChoice = (typeof TRAINER_CHOICES)[number];
/** The two training paths: the chapter's `train()` + `sgd`, or the resident WebAssembly trainer. */
export type TrainerPath = "autograd" | "fused";

/** Spread into `softmax train`'s options. */
export const trainerOptions = {
  trainer: {
    type: "string",
    valueName: "PATH",
    choices: TRAINER_CHOICES,
    defaultText: "auto",
    description:
      "fused (the resident WebAssembly trainer), autograd (the chapter's train() + sgd), or auto: fused where it " +
      "computes the same model (stable softmax on the WebAssembly kernels), else autograd",
  },
  threads: {
    type: "string",
    valueName: "N",
    defaultText: "auto",
    description:
      `Threads: the fused trainer's, or those the autograd path splits each batch across (its compiled step's tiles, or its ` +
      `two matrix products, on the wasm-relaxed-simd kernels); 1 to ${DEFAULT_SHARDS}, or auto (every core up to ${DEFAULT_SHARDS}); ` +
      `any count gives the same numbers`,
  },
} as const satisfies Record<string, OptionSpec>;

/** The path a run takes, on how many threads, and why (for the log line, the report and --verbose). */
export interface TrainingPath {
  trainer: TrainerPath;
  reason: string;
  /** The fused trainer's threads, or the autograd path's threads for each batch's tiles and products. */
  threads: number;
  threadsReason: string;
}

/** `--threads`: "auto" (also when absent) or a positive integer; anything else is a usage error. */
function parseThreads(raw: string | undefined): number | "auto" {
  if (raw === undefined || raw === "auto") return "auto";
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`softmax train: --threads must be a positive integer or auto; got '${raw}'`);
  if (n > DEFAULT_SHARDS) {
    throw new UsageError(
      `softmax train: --threads must be at most ${DEFAULT_SHARDS} or auto; got '${raw}' (each batch's gradient is summed from ${DEFAULT_SHARDS} shards and a thread computes whole shards)`,
    );
  }
  return n;
}

/** Why the fused trainer cannot compute this run's model, or undefined when it can. */
function fusedUnavailable(numerics: SoftmaxNumerics, kernels: { name: string; reason: string }): string | undefined {
  if (numerics !== "stable") return "the fused trainer computes the stable softmax cross-entropy only, and --softmax naive asks for the chapter's naive one";
  if (!kernels.name.startsWith("wasm-")) return `the fused trainer runs on WebAssembly SIMD, and the kernels are ${kernels.name} (${kernels.reason})`;
  return undefined;
}

/**
 * Decides the training path from `--trainer` and `--threads`, the numerics and the installed kernels.
 * Throws a UsageError (exit 2) for `--trainer fused` where it cannot run, for `--threads` other than 1 or
 * auto on the autograd path with kernels that cannot share its products, and for a thread count the fused
 * trainer does not take.
 */
export function chooseTrainingPath(
  flags: { trainer?: string | undefined; threads?: string | undefined },
  run: { numerics: SoftmaxNumerics; kernels: { name: string; reason: string }; batchSize: number },
): TrainingPath {
  const choice = (flags.trainer ?? "auto") as TrainerChoice;
  const threads = parseThreads(flags.threads);
  const blocked = fusedUnavailable(run.numerics, run.kernels);
  if (choice === "fused" && blocked !== undefined) throw new UsageError(`softmax train: --trainer fused: ${blocked}; use --trainer autograd (or auto)`);
  if (choice === "autograd" || blocked !== undefined) {
    const reason = choice === "autograd" ? "--trainer autograd: the chapter's train() + sgd" : `auto: ${blocked}`;
    // The kernels split a batch's products across threads on shared memory, which the relaxed set has.
    if (run.kernels.name !== "wasm-relaxed-simd") {
      if (threads !== "auto" && threads !== 1) {
        throw new UsageError(
          `softmax train: --threads ${threads}: this run trains through autograd (${reason}), which splits its products across threads on the ` +
            `wasm-relaxed-simd kernels only, and the kernels are ${run.kernels.name} (${run.kernels.reason})`,
        );
      }
      return { trainer: "autograd", reason, threads: 1, threadsReason: `one thread: the ${run.kernels.name} kernels run the products on one` };
    }
    // The compiled step shares a batch's tiles of 64 rows among the threads (docs/kernels.md): 4 in a batch of 256.
    const chosen = chooseThreads(threads, nodeThreads, AUTO_THREADS);
    return { trainer: "autograd", reason, threads: chosen.threads, threadsReason: `each batch's tiles and products: ${chosen.reason}` };
  }
  const reason = choice === "fused" ? "--trainer fused" : "auto: stable softmax on the WebAssembly kernels, which the fused trainer computes";
  try {
    const chosen = residentThreads({ threads, batchSize: run.batchSize, host: nodeThreads });
    return { trainer: "fused", reason, threads: chosen.threads, threadsReason: chosen.reason };
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`softmax train: --threads ${threads}: ${error.message}`);
    throw error;
  }
}
