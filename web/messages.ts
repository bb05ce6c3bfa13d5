// The messages between the page and its training worker: one typed union each way. Weights travel as
// Float32Arrays whose buffers are transferred, never copied; everything else is small plain data.

import type { WasmVariant } from "../src/kernels/wasm/load.ts";
import type { SoftmaxNumerics } from "../src/nn/softmaxRegression.ts";
import type { EpochMetrics } from "../src/train/types.ts";

/** The training settings the page's form gives (the CLI's train flags). */
export interface TrainSettings {
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  numerics: SoftmaxNumerics;
  /** "autograd": the chapter's train() + sgd (session.ts); "fast": the resident WebAssembly trainer (fast-session.ts). */
  trainer: PageTrainer;
  /** Threads of the fast trainer (1 to 4, or "auto"); the chapter's trainer runs on one. */
  threads: number | "auto";
}

export type PageTrainer = "autograd" | "fast";

/** How a run computes, as the worker started it. */
export interface TrainerInfo {
  name: PageTrainer;
  threads: number;
  /** The fast trainer's kernels build: "relaxed" (fused multiply-add), "threads" or "simd". */
  variant?: WasmVariant;
  /** Why that many threads (the fast trainer's `threadsReason`, the chapter kernels' selection's). */
  threadsReason?: string;
}

/** One class's test examples and how many the model got right (accuracy NaN when it has none). */
export interface ClassAccuracy {
  count: number;
  correct: number;
  accuracy: number;
}

/** What the page shows about a model on the test split; computed as `softmax eval` does. */
export interface EvaluationSummary {
  /** `evaluateAccuracy` over in-order batches of the training batch size: what `softmax eval` prints. */
  accuracy: number;
  correct: number;
  total: number;
  perClass: ClassAccuracy[];
  /** Predicted class of each sample image (the first test images, shown in the grid). */
  samplePreds: Int32Array;
  /** Class probabilities of each sample image, [samples, classes] row-major (stable softmax). */
  sampleProbs: Float32Array;
}

/** Page → worker. */
export type PageMessage =
  | { type: "load" }
  | { type: "train"; settings: TrainSettings }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" }
  /** The inner widths (CSS px) of the grid and weights cards: the worker draws those pictures to fit. */
  | { type: "widths"; grid: number; weights: number }
  /** Evaluate an uploaded model's weights (W [inputs, classes], b [classes]) with its numerics and batch size. */
  | { type: "evaluate"; W: Float32Array; b: Float32Array; numerics: SoftmaxNumerics; batchSize: number };

/** One step of loading a data file, for the status line. */
export interface DataProgress {
  /** Decompressed file name, e.g. "train-images-idx3-ubyte". */
  file: string;
  phase: "cache" | "download" | "decompress" | "verify" | "ready";
  received?: number;
  total?: number;
}

/** Worker → page. Epochs and batches count from 1. */
export type WorkerMessage =
  | { type: "kernels"; name: string; reason: string }
  | { type: "data-progress"; progress: DataProgress }
  | {
      type: "data-ready";
      title: string;
      /** The server's folder (or "browser cache" when every file came from Cache Storage). */
      dir: string;
      trainCount: number;
      testCount: number;
      rows: number;
      cols: number;
      classNames: string[];
      /** The first test images ([samples, rows, cols] uint8) and their labels, for the grid. */
      sampleImages: Uint8Array;
      sampleLabels: Uint8Array;
      /** Files read from the browser's cache instead of the network. */
      cached: string[];
      notes: string[];
    }
  | { type: "data-failed"; message: string; missing: boolean }
  | { type: "started"; numBatches: number; examplesPerEpoch: number; kernels: string; trainer: TrainerInfo }
  | { type: "batch"; epoch: number; batch: number; numBatches: number; examples: number; loss: number; accuracy: number; seconds: number }
  | { type: "paused" }
  | { type: "resumed" }
  | { type: "epoch"; metrics: EpochMetrics; seconds: number; W: Float32Array; b: Float32Array; evaluation: EvaluationSummary }
  | { type: "done" }
  /** Stopped by the page after batch `batch` of epoch `epoch` (batch 0: before the epoch began). */
  | { type: "stopped"; epoch: number; batch: number }
  | { type: "failed"; message: string; nonFinite: boolean }
  | { type: "evaluated"; evaluation: EvaluationSummary }
  /** The grid and weight pictures (SVG documents) of the model shown; `blank`: no model yet. */
  | { type: "pictures"; grid: string; weights: string; blank: boolean }
  | { type: "evaluate-failed"; message: string };
