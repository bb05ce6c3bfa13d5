// The fused training path of `softmax train`'s training thread: the loop of the chapter's train() with the
// resident WebAssembly trainer running each epoch's batches (data uploaded once, threads). Node only.

import type { DataIter } from "../data/iterator.ts";
import type { WasmVariant } from "../kernels/wasm/load.ts";
import type { PhaseTimes, StartupTimes } from "../kernels/wasm/resident.ts";
import { nodeThreads } from "../kernels/wasm/nodeThreads.ts";
import type { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import { evaluateAccuracy } from "../train/evaluate.ts";
import { evaluationFromPredictions } from "../train/evaluateSplit.ts";
import type { TrainOptions } from "../train/train.ts";
import { WasmTrainer } from "../train/wasmTrainer.ts";
import type { TrainJob } from "./train-worker.ts";

/** Batches the trainer runs between two progress reports (and stop checks): about 20 ms of work. */
export const FUSED_CHUNK_BATCHES = 16;

/** Where the fused trainer's time went, for --verbose. */
export interface FusedReport {
  trainer: StartupTimes;
  /** Per thread, Σ over the run (only when the job asked to profile). */
  threadPhases?: PhaseTimes[];
  /**
   * The final model's predicted class of every test example, when every epoch ran and the trainer's evaluation
   * is the Kernels' bit for bit: the main thread's final evaluation then need not run again.
   */
  testPredictions?: Int32Array;
}

/**
 * Trains `model` in place for `job.epochs` epochs: `trainIter.indexBatches()` (the shuffles autograd's
 * loop sees) through `WasmTrainer.trainEpoch`, then the test accuracy exactly as `softmax eval` computes
 * it (the trainer's evaluation where it matches the Kernels bit for bit). Callbacks as `train`'s, plus
 * `onStart` once the trainer is up (with the kernels build it runs) and `onFinish` with its timings (also when a callback throws).
 * Throws `NonFiniteLossError` naming the epoch and batch.
 */
export async function trainFused(
  model: SoftmaxRegression,
  job: Pick<TrainJob, "train" | "test" | "epochs" | "lr" | "batchSize" | "threads" | "profile">,
  trainIter: DataIter,
  testIter: DataIter,
  events: TrainOptions & { onStart(trainer: { variant: WasmVariant }): void; onFinish(report: FusedReport): void },
): Promise<void> {
  const trainer = await WasmTrainer.create(model, { train: job.train, test: job.test }, { lr: job.lr, batchSize: job.batchSize, threads: job.threads, host: nodeThreads });
  // The trainer's own evaluation where it computes exactly what `softmax eval` computes (evaluateSplit on
  // the WebAssembly Kernels of the trainer's build), so the recorded test accuracy is reproduced bit for bit;
  // else the tensor path.
  const testAccuracy = trainer.evaluationMatchesKernels ? () => trainer.evaluateAccuracy() : () => evaluateAccuracy(model.net, testIter);
  trainer.profile = job.profile;
  // The last evaluation also keeps every prediction, for the run folder (one pass over the test set, not two).
  const predictAtEnd = trainer.evaluationMatchesKernels && job.test.n > 0;
  let testPredictions: Int32Array | undefined;
  try {
    events.onStart({ variant: trainer.variant });
    for (let epoch = 1; epoch <= job.epochs; epoch++) {
      const [trainLoss, trainAcc] = trainer.trainEpoch(trainIter.indexBatches(), {
        epoch,
        chunkBatches: FUSED_CHUNK_BATCHES,
        ...(events.onBatchEnd ? { onBatchEnd: events.onBatchEnd } : {}),
      });
      if (epoch === job.epochs && predictAtEnd) testPredictions = trainer.testPredictions();
      const testAcc = testPredictions ? evaluationFromPredictions(job.test, testPredictions).accuracy : testAccuracy();
      events.onEpochEnd?.({ epoch, trainLoss, trainAcc, testAcc });
    }
  } finally {
    events.onFinish({ trainer: trainer.startupTimes, ...(job.profile ? { threadPhases: trainer.phaseTimes() } : {}), ...(testPredictions && { testPredictions }) });
    await trainer.close();
  }
}
