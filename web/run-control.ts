// What both trainers' runs inside the worker share: the data, the model and shuffles a run starts from,
// Pause, Resume and Stop (the page's messages set the state, and the run looks at it between pieces of
// work at its checkpoints), and the progress messages.

import { DataIter } from "../src/data/iterator.ts";
import type { DataSplit } from "../src/data/split.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Rng } from "../src/tensor/random.ts";
import type { Accumulator } from "../src/train/accumulator.ts";
import type { TrainSettings, WorkerMessage } from "./messages.ts";
import { summarize } from "./summary.ts";

export type Post = (message: WorkerMessage, transfer?: Transferable[]) => void;

/** Batch progress is posted at most this often (the last batch of an epoch always is). */
export const BATCH_POST_MS = 50;

type BatchProgress = Omit<Extract<WorkerMessage, { type: "batch" }>, "type">;

/** Resolves after the worker's pending events (the page's Pause/Stop messages) have run. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** A run's data and start, its Pause/Resume/Stop, and the progress messages both trainers post the same way. */
export class RunControl {
  private state: "running" | "paused" | "stopping" = "running";
  private wake: (() => void) | undefined;
  private lastPost = 0;

  constructor(
    protected readonly train: DataSplit,
    protected readonly test: DataSplit,
    protected readonly post: Post,
  ) {}

  /** The CLI's starting point for `settings`: SoftmaxRegression seeded by `seed`, and its shuffled batches. */
  protected start(settings: TrainSettings): { model: SoftmaxRegression; trainIter: DataIter } {
    const { train } = this;
    const { batchSize, seed, numerics } = settings;
    const model = new SoftmaxRegression({ numInputs: train.rows * train.cols, numOutputs: train.numClasses, rng: new Rng(seed), numerics });
    return { model, trainIter: new DataIter(train, { batchSize, shuffle: true, seed }) };
  }

  /** Posts a batch's progress, at most every BATCH_POST_MS (an epoch's last batch always). */
  protected postBatch(progress: BatchProgress): void {
    const now = performance.now();
    if (now - this.lastPost < BATCH_POST_MS && progress.batch !== progress.numBatches) return;
    this.lastPost = now;
    this.post({ type: "batch", ...progress });
  }

  /**
   * Ends an epoch: the test accuracy as `softmax eval` computes it (summarize, through the worker's kernels),
   * then the epoch's message with a copy of the weights. `metric` holds [loss sum, correct, examples]; the
   * evaluation's time counts as the epoch's. The next epoch's first batch is always posted.
   */
  protected postEpoch(model: SoftmaxRegression, test: DataSplit, batchSize: number, epoch: number, metric: Accumulator, activeMs: number): void {
    const evalStart = performance.now();
    const evaluation = summarize(model, test, batchSize);
    const evalMs = performance.now() - evalStart;
    const W = Float32Array.from(model.W.data);
    const b = Float32Array.from(model.b.data);
    const metrics = { epoch, trainLoss: metric.get(0) / metric.get(2), trainAcc: metric.get(1) / metric.get(2), testAcc: evaluation.accuracy };
    this.post({ type: "epoch", metrics, seconds: (activeMs + evalMs) / 1000, W, b, evaluation }, [W.buffer, b.buffer]);
    this.lastPost = 0;
  }

  pause(): void {
    if (this.state === "running") this.state = "paused";
  }

  resume(): void {
    if (this.state !== "paused") return;
    this.state = "running";
    this.wake?.();
  }

  stop(): void {
    this.state = "stopping";
    this.wake?.();
  }

  /** Lets the page's messages in and waits out a pause; true when training should stop. */
  async checkpoint(): Promise<boolean> {
    await yieldToEvents();
    if (this.state === "paused") {
      this.post({ type: "paused" });
      while (this.state === "paused") await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      if (this.state === "running") this.post({ type: "resumed" });
    }
    return this.state === "stopping";
  }
}
