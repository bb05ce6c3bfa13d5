// The fastest training path: the fused step of fused.ts run by the resident WebAssembly trainer —
// data set, W and b held in WebAssembly memory, whole epochs per call, optionally on several threads.
// Same model, loss and updates as fusedTrainEpoch; results equal within float32 rounding.

import { getKernels } from "../kernels/current.ts";
import type { RowIndex } from "../kernels/kernels.ts";
import type { WasmSource, WasmVariant } from "../kernels/wasm/load.ts";
import { ResidentTrainer, type BatchResults, type PhaseTimes, type StartupTimes } from "../kernels/wasm/resident.ts";
import type { ThreadHost } from "../kernels/wasm/threads.ts";
import type { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import type { ByteExamples, FusedEpochOptions } from "./fused.ts";
import { NonFiniteLossError } from "./nonFiniteLoss.ts";

export interface WasmTrainerOptions {
  lr: number;
  /** Largest batch the trainer will see (the iterator's batch size). */
  batchSize: number;
  /**
   * Threads, or "auto" (default): all cores up to `shards`, one where threads cannot run (no `host`, no
   * shared memory) or do not pay (small batches). 1, 2 or 4 threads give identical numbers.
   */
  threads?: number | "auto";
  /** Shards each batch's gradient is summed from, in a fixed order (default 4). */
  shards?: number;
  /** How to start helper threads: `nodeThreads` (src/kernels/wasm/nodeThreads.ts) in Node. */
  host?: ThreadHost;
  /** Module sources; default the files `npm run build` writes under build/wasm/. */
  wasm?: Partial<Record<WasmVariant, WasmSource>>;
  /**
   * Fused multiply-adds in the products where the runtime has relaxed SIMD (default true): the same model
   * within float32 rounding, about a third faster. False gives the reference's arithmetic in the same order.
   */
  fused?: boolean;
}

/**
 * Trains a SoftmaxRegression with the resident WebAssembly kernels. The model's W and b are copied in at the
 * start of each epoch and back out at its end, so the model always holds the latest weights between calls.
 * d2l: the work of `train_epoch_ch3` + `evaluate_accuracy`, fused.
 */
export class WasmTrainer {
  readonly model: SoftmaxRegression;
  readonly lr: number;
  private readonly resident: ResidentTrainer;

  private constructor(model: SoftmaxRegression, lr: number, resident: ResidentTrainer) {
    this.model = model;
    this.lr = lr;
    this.resident = resident;
  }

  /** Uploads `train` (and `test`, for `evaluateAccuracy`) once and starts the threads. Call `close()` when done. */
  static async create(model: SoftmaxRegression, data: { train: ByteExamples; test?: ByteExamples }, options: WasmTrainerOptions): Promise<WasmTrainer> {
    if (!Number.isFinite(options.lr) || options.lr < 0) throw new RangeError(`WasmTrainer: lr must be a finite number >= 0, got ${options.lr}`);
    const resident = await ResidentTrainer.create({
      train: data.train,
      ...(data.test ? { test: data.test } : {}),
      inputs: model.numInputs,
      classes: model.numOutputs,
      batchSize: options.batchSize,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.shards !== undefined ? { shards: options.shards } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.wasm ? { wasm: options.wasm } : {}),
      ...(options.fused !== undefined ? { fused: options.fused } : {}),
    });
    return new WasmTrainer(model, options.lr, resident);
  }

  /** Threads in use, and the sentence saying why (log it once). */
  get threads(): number {
    return this.resident.threads;
  }

  get threadsReason(): string {
    return this.resident.threadsReason;
  }

  /** The kernels build in use: "relaxed" (fused multiply-add), "threads" or "simd". */
  get variant(): WasmVariant {
    return this.resident.variant;
  }

  get shards(): number {
    return this.resident.shards;
  }

  /** Milliseconds `create` spent instantiating the module, uploading the data and starting the helpers. */
  get startupTimes(): StartupTimes {
    return this.resident.startupTimes;
  }

  /**
   * One epoch of SGD over `batches` (example indices, e.g. `trainIter.indexBatches()`); returns
   * [mean loss, accuracy] like `fusedTrainEpoch`. `onBatchEnd` is called for every batch, in order,
   * after each group of `chunkBatches` batches (default 16 when there is a callback, else the whole epoch
   * runs in one call). Throws `NonFiniteLossError` (epoch and batch from 1); the model then holds the
   * weights from before that batch. An error thrown by `onBatchEnd` stops the epoch after the current group
   * of batches; the model then holds the weights trained so far.
   */
  trainEpoch(batches: Iterable<RowIndex>, options: FusedEpochOptions & { chunkBatches?: number } = {}): [number, number] {
    const { epoch = 1, onBatchEnd } = options;
    const { W, b } = this.model;
    this.resident.setParams(W.data, b.data);
    let results: BatchResults;
    try {
      results = this.resident.trainBatches(batches, this.lr, {
        ...(onBatchEnd
          ? {
            chunkBatches: options.chunkBatches ?? 16,
            onChunk: (first, last, r) => {
              for (let i = first; i < last; i++) {
                const size = r.sizes[i]!;
                onBatchEnd({ epoch, batch: i + 1, size, loss: r.lossSums[i]! / size, accuracy: r.correct[i]! / size });
              }
            },
          }
          : options.chunkBatches !== undefined ? { chunkBatches: options.chunkBatches } : {}),
      });
    } finally {
      // Also when onBatchEnd throws (e.g. a stop request): the model gets the batches trained so far.
      this.resident.getParams(W.data, b.data);
    }
    if (results.nonFinite !== null) throw new NonFiniteLossError({ epoch, batch: results.nonFinite.batch + 1, loss: results.nonFinite.loss });
    let loss = 0, correct = 0, seen = 0;
    for (let i = 0; i < results.sizes.length; i++) {
      loss += results.lossSums[i]!;
      correct += results.correct[i]!;
      seen += results.sizes[i]!;
    }
    if (seen === 0) throw new RangeError("WasmTrainer.trainEpoch: the batches held no examples");
    return [loss / seen, correct / seen];
  }

  /**
   * Whether `evaluateAccuracy` computes every logit bit for bit as `evaluateAccuracy(model.net, testIter)` does
   * on the installed Kernels (pixel / 255, then X·W + b): when those are the wasm set of this trainer's build
   * ("wasm-relaxed-simd" when it fuses multiply-adds, else "wasm-simd") and the inputs per example are a
   * multiple of 4 (784 is), so the rows need no padding and the products are summed in the same order.
   */
  get evaluationMatchesKernels(): boolean {
    const sameBuild = getKernels().name === (this.variant === "relaxed" ? "wasm-relaxed-simd" : "wasm-simd");
    return sameBuild && this.model.numInputs % 4 === 0;
  }

  /**
   * Accuracy of the model's current weights on the test set given to `create`. Like `fusedEvaluateAccuracy`,
   * and exactly the tensor path's on the installed Kernels when `evaluationMatchesKernels`.
   */
  evaluateAccuracy(): number {
    const n = this.resident.testSize;
    if (n === 0) throw new RangeError("WasmTrainer.evaluateAccuracy: no test set was given to create()");
    this.resident.setParams(this.model.W.data, this.model.b.data);
    return this.resident.evaluate() / n;
  }

  /**
   * The predicted class of every test example under the model's current weights, in file order: the argmax
   * of the logits `evaluateAccuracy` computes (so, when `evaluationMatchesKernels`, exactly the predictions of
   * `evaluateSplit` on the installed Kernels).
   */
  testPredictions(): Int32Array {
    if (this.resident.testSize === 0) throw new RangeError("WasmTrainer.testPredictions: no test set was given to create()");
    this.resident.setParams(this.model.W.data, this.model.b.data);
    return this.resident.predictTest().predictions;
  }

  /** Whether the kernels time their phases (for --verbose; costs a clock read per phase and shard). */
  get profile(): boolean {
    return this.resident.profile;
  }

  set profile(on: boolean) {
    this.resident.profile = on;
  }

  /** Milliseconds per phase (gather, forward, loss, gradient, wait, update, evaluate) of each thread since the last reset. */
  phaseTimes(): PhaseTimes[] {
    return this.resident.phaseTimes();
  }

  resetPhaseTimes(): void {
    this.resident.resetPhaseTimes();
  }

  /** Stops the helper threads; the trainer cannot be used afterwards. */
  close(): Promise<void> {
    return this.resident.close();
  }
}
