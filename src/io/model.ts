// The softmax-regression model file: W [inputs, classes] and b [classes] as F32 safetensors, with
// class names, input shape, preprocessing, training settings and metrics in `__metadata__`. Isomorphic.

import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";

/** The value of `__metadata__.format` in every model file this project writes. */
export const MODEL_FORMAT = "softmax-regression";
/** Bumped when the meaning of the file changes; readers refuse versions they do not know. */
export const MODEL_FORMAT_VERSION = 1;
/** The preprocessing the model was trained with: pixels scaled to [0, 1]. */
export const PIXEL_PREPROCESSING = "pixel / 255";

/** A trained softmax-regression model: y = softmax(X W + b) with X: [batch, inputs] → [batch, classes]. */
export interface SoftmaxModel {
  /** [inputs, classes], row-major: W[i * classes + j]. */
  W: Float32Array;
  /** [classes]. */
  b: Float32Array;
  inputs: number;
  classes: number;
  /** One name per class, index = label. */
  classNames: string[];
  /** Image rows and cols; rows × cols = inputs. */
  inputShape: [number, number];
  /** How raw pixels become inputs, e.g. "pixel / 255". */
  preprocessing: string;
  /** Training settings (epochs, lr, batchSize, seed, dataset, …), free-form JSON. */
  training: Record<string, unknown>;
  /** Final metrics (trainLoss, trainAcc, testAcc, …). */
  metrics: Record<string, number>;
}

/** What a model file's record is made of: the weights, the data set they fit, and the run that made them. */
export interface ModelRecordInput {
  W: Float32Array;
  b: Float32Array;
  /** The data set: its name, title and folder, image size and class names. */
  data: { name: string; title: string; dir: string; rows: number; cols: number; classNames: readonly string[] };
  /** The settings and facts of the run to record (epochs, lr, batchSize, seed, softmax, kernels, …). */
  training: Record<string, unknown>;
  /** The completed epochs' metrics, in order; the last one is the model's. */
  history: readonly { epoch: number; trainLoss: number; trainAcc: number; testAcc: number }[];
  /** Seconds of training. */
  seconds: number;
}

/**
 * The model record every writer uses (the CLI's run folder and the page's download), so both files carry
 * the same metadata keys: the data set's shape and names, the run's settings, the last epoch's metrics.
 */
export function modelRecord({ W, b, data, training, history, seconds }: ModelRecordInput): SoftmaxModel {
  const last = history.at(-1);
  const roundedSeconds = Math.round(seconds * 1000) / 1000;
  return {
    W,
    b,
    inputs: data.rows * data.cols,
    classes: data.classNames.length,
    classNames: [...data.classNames],
    inputShape: [data.rows, data.cols],
    preprocessing: PIXEL_PREPROCESSING,
    training: { dataset: data.name, dataTitle: data.title, dataDir: data.dir, epochsCompleted: history.length, ...training },
    metrics: last
      ? { epochs: last.epoch, trainLoss: last.trainLoss, trainAcc: last.trainAcc, testAcc: last.testAcc, seconds: roundedSeconds }
      : { epochs: 0, seconds: roundedSeconds },
  };
}

/** A valid safetensors file that is not a usable model (or not for this data); the message names the source. */
export class ModelFileError extends Error {
  readonly source: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = "ModelFileError";
    this.source = source;
  }
}

/** What the caller's data needs; a model of other sizes is refused with an explanation. */
export interface ModelExpectation {
  inputs?: number;
  classes?: number;
}

function checkModel(model: SoftmaxModel): void {
  const { W, b, inputs, classes } = model;
  if (!(Number.isInteger(inputs) && inputs > 0 && Number.isInteger(classes) && classes > 0)) {
    throw new RangeError(`model: inputs and classes must be positive integers, got ${inputs} and ${classes}`);
  }
  if (W.length !== inputs * classes) throw new RangeError(`model: W has ${W.length} values, expected [${inputs}, ${classes}] = ${inputs * classes}`);
  if (b.length !== classes) throw new RangeError(`model: b has ${b.length} values, expected [${classes}]`);
  if (model.classNames.length !== classes) throw new RangeError(`model: ${model.classNames.length} class names for ${classes} classes`);
  const [rows, cols] = model.inputShape;
  if (rows * cols !== inputs) throw new RangeError(`model: input shape ${rows} × ${cols} does not hold ${inputs} inputs`);
}

/** Encodes a model as safetensors bytes (write them with `writeFileAtomic`, or offer them as a download). */
export function encodeModel(model: SoftmaxModel): Uint8Array {
  checkModel(model);
  return encodeSafetensors(
    {
      W: { dtype: "F32", shape: [model.inputs, model.classes], data: model.W },
      b: { dtype: "F32", shape: [model.classes], data: model.b },
    },
    {
      format: MODEL_FORMAT,
      format_version: String(MODEL_FORMAT_VERSION),
      class_names: JSON.stringify(model.classNames),
      input_shape: JSON.stringify(model.inputShape),
      preprocessing: model.preprocessing,
      training: JSON.stringify(model.training),
      metrics: JSON.stringify(model.metrics),
    },
  );
}

/** Parses a JSON metadata value, failing with the key's name. */
function jsonValue(source: string, metadata: Record<string, string>, key: string, fallback?: unknown): unknown {
  const text = metadata[key];
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ModelFileError(source, `not a valid model file: metadata "${key}" is missing`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFileError(source, `not a valid model file: metadata "${key}" is not valid JSON: ${JSON.stringify(text.slice(0, 60))}`);
  }
}

/**
 * Decodes and validates a model file: the safetensors checks, then format and version, exactly the
 * tensors W [inputs, classes] and b [classes] with finite values, class names, input shape and
 * preprocessing; with `expect`, the sizes the caller's data set needs. Throws `SafetensorsError` for a
 * malformed file and `ModelFileError` for a well-formed file that is not a usable model for this data.
 */
export function decodeModel(bytes: Uint8Array, options: { source?: string; expect?: ModelExpectation } = {}): SoftmaxModel {
  const source = options.source ?? "model data";
  const fail = (problem: string) => new ModelFileError(source, `not a valid model file: ${problem}`);
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  if (metadata.format !== MODEL_FORMAT) {
    throw fail(`not a ${MODEL_FORMAT} model (__metadata__.format is ${JSON.stringify(metadata.format ?? null)})`);
  }
  const version = Number(metadata.format_version);
  if (!Number.isInteger(version) || version < 1) throw fail(`format_version ${JSON.stringify(metadata.format_version ?? null)} is not a version number`);
  if (version > MODEL_FORMAT_VERSION) {
    throw fail(`format_version ${version} is newer than this program reads (${MODEL_FORMAT_VERSION}); upgrade softmax-regression`);
  }
  const { W, b } = tensors;
  if (!W) throw fail('tensor "W" is missing');
  if (!b) throw fail('tensor "b" is missing');
  const extra = Object.keys(tensors).filter((k) => k !== "W" && k !== "b");
  if (extra.length > 0) throw fail(`unexpected tensors ${extra.map((k) => `"${k}"`).join(", ")} (a model file holds only W and b)`);
  if (W.shape.length !== 2) throw fail(`W must have shape [inputs, classes], got [${W.shape.join(", ")}]`);
  const [inputs, classes] = W.shape as [number, number];
  if (inputs === 0 || classes === 0) throw fail(`W has an empty shape [${inputs}, ${classes}]`);
  if (b.shape.length !== 1 || b.shape[0] !== classes) throw fail(`b must have shape [${classes}] to match W [${inputs}, ${classes}], got [${b.shape.join(", ")}]`);
  for (const [name, t] of [["W", W], ["b", b]] as const) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw fail(`${name} holds a non-finite value (${t.data[bad]}) at index ${bad}`);
  }

  const classNames = jsonValue(source, metadata, "class_names");
  if (!Array.isArray(classNames) || !classNames.every((n) => typeof n === "string") || classNames.length !== classes) {
    throw fail(`metadata "class_names" must list ${classes} strings, got ${JSON.stringify(classNames).slice(0, 80)}`);
  }
  const inputShape = jsonValue(source, metadata, "input_shape");
  if (!Array.isArray(inputShape) || inputShape.length !== 2 || !inputShape.every((d) => Number.isInteger(d) && d > 0) || inputShape[0] * inputShape[1] !== inputs) {
    throw fail(`metadata "input_shape" must be [rows, cols] with rows × cols = ${inputs}, got ${JSON.stringify(inputShape)}`);
  }
  const preprocessing = metadata.preprocessing;
  if (!preprocessing) throw fail('metadata "preprocessing" is missing');
  const training = jsonValue(source, metadata, "training", {});
  const metrics = jsonValue(source, metadata, "metrics", {});
  if (typeof training !== "object" || training === null || Array.isArray(training)) throw fail('metadata "training" must be a JSON object');
  if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) throw fail('metadata "metrics" must be a JSON object');

  const expect = options.expect ?? {};
  const [rows, cols] = inputShape as [number, number];
  if (expect.inputs !== undefined && expect.inputs !== inputs) {
    throw new ModelFileError(source, `the model takes ${inputs} inputs (${rows} × ${cols} images) but the data has ${expect.inputs} per example; use a model trained on this data set`);
  }
  if (expect.classes !== undefined && expect.classes !== classes) {
    throw new ModelFileError(source, `the model predicts ${classes} classes but the data set has ${expect.classes}; use a model trained on this data set`);
  }
  return {
    W: W.data,
    b: b.data,
    inputs,
    classes,
    classNames: classNames as string[],
    inputShape: [rows, cols],
    preprocessing,
    training: training as Record<string, unknown>,
    metrics: metrics as Record<string, number>,
  };
}
