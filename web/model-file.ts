// Model files in the page: the bytes `softmax train` writes (encodeModel with the CLI's metadata keys), and
// reading an uploaded file with decodeModel's checks plus one more: it must be a Fashion-MNIST model.

import { FASHION_MNIST } from "../src/data/datasets.ts";
import { decodeModel, encodeModel, modelRecord, PIXEL_PREPROCESSING } from "../src/io/model.ts";
import type { SoftmaxModel } from "../src/io/model.ts";
import type { EpochMetrics } from "../src/train/types.ts";
import type { TrainerInfo, TrainSettings } from "./messages.ts";

/** A training run of the page, as much as the model file records. */
export interface PageRun {
  settings: TrainSettings;
  kernels: string;
  /** How the worker trained (known once the run has started). */
  trainer: TrainerInfo | undefined;
  /** The server's data folder (the CLI records `--data`/located folder here). */
  dataDir: string;
  startedAt: Date;
  finishedAt: Date;
  /** Completed epochs with their wall time (seconds of training, pauses excluded). */
  history: (EpochMetrics & { seconds: number })[];
  interrupted: boolean;
}

/** The model after a run's last completed epoch, with the metadata `softmax train` writes. */
export function modelFromRun(run: PageRun, W: Float32Array, b: Float32Array, shape: { rows: number; cols: number; classNames: readonly string[] }): SoftmaxModel {
  const { settings } = run;
  return modelRecord({
    W,
    b,
    data: { name: FASHION_MNIST.name, title: FASHION_MNIST.title, dir: run.dataDir, ...shape },
    training: {
      epochs: settings.epochs,
      lr: settings.lr,
      batchSize: settings.batchSize,
      seed: settings.seed,
      softmax: settings.numerics,
      shuffle: true,
      init: null,
      interrupted: run.interrupted,
      kernels: run.kernels,
      // The CLI's names for the two paths: "autograd", or "fused" for the resident WebAssembly trainer.
      ...(run.trainer && { trainer: run.trainer.name === "fast" ? "fused" : "autograd", threads: run.trainer.threads }),
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt.toISOString(),
      trainedIn: "web page",
    },
    history: run.history,
    seconds: run.history.reduce((total, e) => total + e.seconds, 0),
  });
}

/** The file's bytes for a download. */
export function modelBytes(model: SoftmaxModel): Uint8Array<ArrayBuffer> {
  return encodeModel(model) as Uint8Array<ArrayBuffer>;
}

/**
 * Reads an uploaded model file: safetensors and model checks (decodeModel), sizes that fit this data set
 * (rows × cols inputs, its classes), and a recorded data set, if any, that is Fashion-MNIST.
 * Throws an Error whose message names the file and says what is wrong.
 */
export function readModelFile(bytes: Uint8Array, name: string, expect: { rows: number; cols: number; classes: number }): SoftmaxModel {
  const model = decodeModel(bytes, { source: name, expect: { inputs: expect.rows * expect.cols, classes: expect.classes } });
  const dataset = model.training["dataset"];
  if (typeof dataset === "string" && dataset !== FASHION_MNIST.name) {
    const title = typeof model.training["dataTitle"] === "string" ? model.training["dataTitle"] : dataset;
    throw new Error(`${name}: the model was trained on ${title}, not ${FASHION_MNIST.title}; this page predicts ${FASHION_MNIST.title} test images, so upload a model trained on it`);
  }
  if (model.preprocessing !== PIXEL_PREPROCESSING) {
    throw new Error(`${name}: the model expects its inputs as "${model.preprocessing}", but this page feeds "${PIXEL_PREPROCESSING}"; upload a model trained with that preprocessing`);
  }
  return model;
}
