// The training thread of `softmax train`: runs the chapter's `train` (autograd + sgd) or the resident
// WebAssembly trainer (train-fused.ts) on the splits it is sent, posts batch and epoch events, and stops
// after the current batch (or group of batches) when the main thread raises a flag.

import { parentPort, workerData } from "node:worker_threads";
import { DataIter } from "../data/iterator.ts";
import type { DataSplit } from "../data/split.ts";
import { getKernels, setKernels } from "../kernels/current.ts";
import type { WasmVariant } from "../kernels/wasm/load.ts";
import { nodeThreads } from "../kernels/wasm/nodeThreads.ts";
import type { PhaseTimes } from "../kernels/wasm/resident.ts";
import { sgd } from "../nn/sgd.ts";
import { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import type { SoftmaxNumerics } from "../nn/softmaxRegression.ts";
import { Tensor } from "../tensor/tensor.ts";
import { NonFiniteLossError } from "../train/nonFiniteLoss.ts";
import { train } from "../train/train.ts";
import type { EpochMetrics } from "../train/types.ts";
import { selectNamedKernels } from "./kernels-option.ts";
import type { TrainerPath } from "./trainer-option.ts";
import { FUSED_CHUNK_BATCHES, trainFused } from "./train-fused.ts";

/** The hyperparameters of a run, as `softmax train` parses them and the training thread uses them. */
export interface TrainHyperparameters {
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  numerics: SoftmaxNumerics;
  shuffle: boolean;
}

/** What the main thread sends: both splits, the settings, the starting weights and the stop flag. */
export interface TrainJob extends TrainHyperparameters {
  kind: "softmax-train";
  train: DataSplit;
  test: DataSplit;
  /** Starting weights W [inputs, classes] and b [classes] (drawn by the main thread, or from --init). */
  W: Float32Array;
  b: Float32Array;
  /** Int32 slot 0: set to 1 by the main thread to stop after the current batch. */
  stop: SharedArrayBuffer;
  /** When the main thread started this thread (performance.timeOrigin + performance.now(), ms). */
  spawnedAt: number;
  /** The name of the kernels the main thread installed ("ref", "wasm-simd", …), so this thread installs the same. */
  kernels: string;
  /** The training path the main thread chose, and the fused trainer's thread count (1 for autograd). */
  trainer: TrainerPath;
  threads: number;
  /** Time the phases (--verbose): the fused trainer then reads a clock per phase and shard. */
  profile: boolean;
}

/** Where the training thread's time went, in milliseconds (for --verbose). */
export interface WorkerTimings {
  /** From the main thread's spawn call to the end of this thread's module loading. */
  startup: number;
  /** From then to the job's arrival: the thread waits while the main thread loads the data. */
  jobWait: number;
  /** Selecting the kernels and instantiating their module. */
  kernels: number;
  /** The fused trainer's start: compiling + instantiating its module, uploading the data, starting helper threads. */
  trainer?: { instantiate: number; upload: number; helpers: number };
  /** Σ of the epochs' training (batches only). */
  epochs: number;
  /** Σ of the test evaluations after each epoch. */
  evaluations: number;
  /** The fused trainer's per-thread phases, Σ over the run. */
  threadPhases?: PhaseTimes[];
}

/** What the training thread posts back. Epochs and batches count from 1. */
export type TrainMessage =
  | { type: "started"; kernels: string; numBatches: number; build?: WasmVariant }
  | { type: "batch"; epoch: number; batch: number; numBatches: number; examples: number; loss: number; accuracy: number }
  | { type: "epoch"; metrics: EpochMetrics; seconds: number; W: Float32Array; b: Float32Array }
  | { type: "timings"; timings: WorkerTimings }
  | { type: "predictions"; predictions: Int32Array }
  | { type: "done" }
  | { type: "interrupted"; epoch: number; batch: number }
  | { type: "failed"; message: string; nonFinite: boolean };

/** Thrown from a callback to leave `train` between batches. */
class StopRequested extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
  ) {
    super(`stopped at epoch ${epoch}, batch ${batch}`);
  }
}

/** Progress is posted at most this often (the last batch of an epoch always is). */
const BATCH_POST_MS = 40;

/** Installs the job's kernels in this thread, then trains as it says, reporting through `post`; never rejects. */
export async function runTrainJob(job: TrainJob, post: (message: TrainMessage) => void, loadedAt = performance.now()): Promise<void> {
  // Clocks of different threads agree through timeOrigin + now() (each thread may have its own origin).
  const begun = performance.now();
  const startup = performance.timeOrigin + loadedAt - job.spawnedAt;
  const timings: WorkerTimings = { startup, jobWait: begun - loadedAt, kernels: 0, epochs: 0, evaluations: 0 };
  try {
    // The autograd path's products run on the job's threads (the fused trainer starts its own).
    setKernels((await selectNamedKernels(job.kernels, job.trainer === "autograd" ? job.threads : 1)).kernels);
  } catch (error) {
    post({ type: "failed", message: `the training thread could not load the ${job.kernels} kernels: ${error instanceof Error ? error.message : String(error)}`, nonFinite: false });
    return;
  }
  timings.kernels = performance.now() - begun;
  const inputs = job.train.rows * job.train.cols;
  const model = SoftmaxRegression.fromParams(new Tensor(job.W, [inputs, job.train.numClasses]), new Tensor(job.b, [job.train.numClasses]), {
    numerics: job.numerics,
  });
  const trainIter = new DataIter(job.train, { batchSize: job.batchSize, shuffle: job.shuffle, seed: job.seed });
  const testIter = new DataIter(job.test, { batchSize: job.batchSize, shuffle: false });
  const stop = new Int32Array(job.stop);
  const numBatches = trainIter.numBatches;
  const fused = job.trainer === "fused";
  let lastPost = 0;
  let examples = 0;
  let epochStart = 0;
  let batchesEnd = 0;
  const callbacks = {
    onBatchEnd: ({ epoch, batch, size, loss, accuracy }: { epoch: number; batch: number; size: number; loss: number; accuracy: number }) => {
      if (batch === 1) examples = 0;
      examples += size;
      const now = performance.now();
      if (batch === numBatches) {
        batchesEnd = now;
        timings.epochs += now - epochStart;
      }
      if (now - lastPost >= BATCH_POST_MS || batch === numBatches) {
        lastPost = now;
        post({ type: "batch", epoch, batch, numBatches, examples, loss, accuracy });
      }
      // The fused trainer has already trained the whole group of batches when it reports them: stop at its end.
      const groupEnd = !fused || batch % FUSED_CHUNK_BATCHES === 0 || batch === numBatches;
      if (groupEnd && Atomics.load(stop, 0) !== 0) throw new StopRequested(epoch, batch);
    },
    onEpochEnd: (metrics: EpochMetrics) => {
      const now = performance.now();
      timings.evaluations += now - batchesEnd;
      post({ type: "epoch", metrics, seconds: (now - epochStart) / 1000, W: Float32Array.from(model.W.data), b: Float32Array.from(model.b.data) });
      epochStart = performance.now();
      // Stopped between epochs: the next epoch is the one interrupted, before its first batch.
      if (Atomics.load(stop, 0) !== 0 && metrics.epoch < job.epochs) throw new StopRequested(metrics.epoch + 1, 0);
    },
  };
  try {
    if (fused) {
      await trainFused(model, job, trainIter, testIter, {
        ...callbacks,
        onStart: ({ variant }) => {
          post({ type: "started", kernels: getKernels().name, build: variant, numBatches });
          epochStart = performance.now();
        },
        onFinish: ({ testPredictions, ...report }) => {
          Object.assign(timings, report);
          if (testPredictions) post({ type: "predictions", predictions: testPredictions });
        },
      });
    } else {
      post({ type: "started", kernels: getKernels().name, numBatches });
      epochStart = performance.now();
      // The model's own net and loss compute the same way on every batch, so the step can be replayed.
      train(model.net, trainIter, testIter, model.loss, job.epochs, sgd(model.params(), job.lr), { ...callbacks, capture: true });
    }
    post({ type: "timings", timings });
    post({ type: "done" });
  } catch (error) {
    if (error instanceof StopRequested) {
      post({ type: "timings", timings });
      post({ type: "interrupted", epoch: error.epoch, batch: error.batch });
    } else post({ type: "failed", message: error instanceof Error ? error.message : String(error), nonFinite: error instanceof NonFiniteLossError });
  }
}

// Started by runTraining's thread (train-runner.ts): the modules are loaded; the job comes as one message.
const loadedAt = performance.now();
if (parentPort) {
  const port = parentPort;
  // While the main thread loads the data: the helper threads start (the fused trainer's, or the kernels'), and the job's kernels
  // module compiles (selectKernels caches the compiled module, so the job's own call only instantiates it).
  const { helpers = 0, kernels } = (workerData ?? {}) as { helpers?: number; kernels?: string };
  if (helpers > 0) nodeThreads.prestart(helpers);
  if (kernels !== undefined) selectNamedKernels(kernels).catch(() => undefined); // a failure is reported with the job
  port.once("message", (job: TrainJob) => {
    if (job.kind === "softmax-train") void runTrainJob(job, (message) => port.postMessage(message), loadedAt);
  });
}
