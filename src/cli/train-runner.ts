// Runs a TrainJob on a worker thread, so the main thread stays free to redraw the terminal and to hear
// Ctrl-C: the first SIGINT asks the worker to stop after the current batch, a second one aborts at once.

import type { Worker } from "node:worker_threads";
import type { DataSplit } from "../data/split.ts";
import type { EpochMetrics } from "../train/types.ts";
import type { WasmVariant } from "../kernels/wasm/load.ts";
import { startModuleWorker } from "../util/nodeWorker.ts";
import type { TrainJob, TrainMessage, WorkerTimings } from "./train-worker.ts";

/** One completed epoch: its metrics, its wall time and the weights at its end. */
export interface EpochRecord extends EpochMetrics {
  seconds: number;
  W: Float32Array;
  b: Float32Array;
}

/** How training ended: every epoch done, or stopped by Ctrl-C after `epoch`/`batch` (counted from 1). */
export interface TrainOutcome {
  history: EpochRecord[];
  kernels: string;
  /** The fused trainer's build of the kernels ("relaxed": fused multiply-add), when it trained. */
  build?: WasmVariant;
  interrupted?: { epoch: number; batch: number };
  /** Where the training thread's time went (not sent when training failed). */
  timings?: WorkerTimings;
  /** Milliseconds from starting the thread to its last message. */
  threadMs: number;
  /**
   * Every test example's predicted class under the final weights, from the fused trainer when its evaluation
   * is the Kernels' bit for bit (so equal to evaluateSplit's); absent otherwise, and when interrupted.
   */
  testPredictions?: Int32Array;
}

/** What the caller shows while training runs. */
export interface TrainEvents {
  onStart?(info: { kernels: string; numBatches: number }): void;
  onBatch?(progress: { epoch: number; batch: number; numBatches: number; examples: number; loss: number; accuracy: number }): void;
  onEpoch?(record: EpochRecord): void;
  /** The first Ctrl-C: training will stop after the current batch. */
  onStopRequested?(): void;
  /** The second Ctrl-C: called just before the process exits with 130 (restore the terminal here). */
  onAbort?(): void;
}

/**
 * A second SIGINT this soon after the first is the same key press delivered twice (npm and tsx forward
 * the terminal's SIGINT to the process that already got it), not a second Ctrl-C.
 */
const SAME_PRESS_MS = 300;

/**
 * The buffers of the training split, moved (not copied) to the training thread: the main thread needs only
 * its size afterwards, and a copy would hold the largest array of the run twice. Buffers that a view does
 * not cover whole (they may hold other data) or that are shared are left to be copied.
 */
function movableBuffers(split: DataSplit): ArrayBuffer[] {
  const whole = (a: Uint8Array): a is Uint8Array<ArrayBuffer> => a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
  const buffers = [split.images, split.labels].filter(whole).map((a) => a.buffer);
  return buffers[0] === buffers[1] ? buffers.slice(0, 1) : buffers;
}

/** The training thread's module, train-worker.ts (or .js when built), with its start-up data. */
function startWorker(workerData: { helpers: number; kernels?: string }): Worker {
  return startModuleWorker(import.meta.url, "train-worker", { workerData });
}

/** A training thread started before its job exists, so its start-up (~0.1 s of module loading) overlaps the caller's. */
export interface TrainingThread {
  readonly worker: Worker;
  /** performance.now() when it was spawned. */
  readonly spawned: number;
}

/**
 * Starts the training thread; it loads its modules, then waits for the job `runTraining` sends it. Until then
 * it does not keep the process alive, so a caller that fails before training (e.g. loading the data) just ends.
 * Meanwhile it starts `helpers` helper threads for the fused trainer (threads − 1) and compiles the `kernels`
 * the job will name.
 */
export function startTrainingThread(options: { helpers?: number; kernels?: string } = {}): TrainingThread {
  const spawned = performance.now();
  const worker = startWorker({ helpers: options.helpers ?? 0, ...(options.kernels !== undefined && { kernels: options.kernels }) });
  worker.unref();
  return { worker, spawned };
}

/**
 * Trains on a worker thread. The training split's buffers move to that thread (the caller's `job.train`
 * is left empty but for its sizes). Resolves with the completed epochs when training ends or is stopped by
 * Ctrl-C; rejects with the engine's message when it fails (e.g. a non-finite loss naming epoch and batch).
 * While it runs, SIGINT is handled here; afterwards Node's default applies again.
 */
export function runTraining(
  job: Omit<TrainJob, "kind" | "stop" | "spawnedAt">,
  events: TrainEvents = {},
  thread: TrainingThread = startTrainingThread(),
): Promise<TrainOutcome> {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const { worker, spawned: started } = thread;
  worker.ref();
  worker.postMessage({ ...job, kind: "softmax-train", stop, spawnedAt: performance.timeOrigin + started } satisfies TrainJob, movableBuffers(job.train));
  const history: EpochRecord[] = [];
  let kernels = "unknown";
  let timings: WorkerTimings | undefined;
  let testPredictions: Int32Array | undefined;
  let build: WasmVariant | undefined;
  let firstSigint = 0;

  const onSigint = (): void => {
    const now = Date.now();
    if (firstSigint === 0) {
      firstSigint = now;
      Atomics.store(flag, 0, 1);
      events.onStopRequested?.();
    } else if (now - firstSigint > SAME_PRESS_MS) {
      events.onAbort?.();
      // The CLI's one immediate exit: the user asked twice, nothing more is written.
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);

  return new Promise<TrainOutcome>((resolve, reject) => {
    let settled = false;
    let threadMs = 0;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      process.off("SIGINT", onSigint);
      void worker.terminate();
      threadMs = performance.now() - started;
      action();
    };
    worker.on("message", (message: TrainMessage) => {
      switch (message.type) {
        case "started":
          kernels = message.kernels;
          build = message.build;
          events.onStart?.({ kernels: message.kernels, numBatches: message.numBatches });
          break;
        case "batch":
          events.onBatch?.(message);
          break;
        case "epoch": {
          const record: EpochRecord = { ...message.metrics, seconds: message.seconds, W: message.W, b: message.b };
          history.push(record);
          events.onEpoch?.(record);
          break;
        }
        case "timings":
          timings = message.timings;
          break;
        case "predictions":
          testPredictions = message.predictions;
          break;
        case "done":
          finish(() => resolve({ history, kernels, threadMs, ...(build && { build }), ...(timings && { timings }), ...(testPredictions && { testPredictions }) }));
          break;
        case "interrupted":
          finish(() => resolve({ history, kernels, threadMs, ...(build && { build }), interrupted: { epoch: message.epoch, batch: message.batch }, ...(timings && { timings }) }));
          break;
        case "failed":
          finish(() => reject(new Error(message.message)));
          break;
      }
    });
    worker.on("error", (error) => finish(() => reject(new Error(`training thread failed: ${error.message}`, { cause: error }))));
    worker.on("exit", (code) => finish(() => reject(new Error(`training thread exited (code ${code}) before training finished`))));
  });
}
