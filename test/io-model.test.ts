// The softmax-regression model file: round trip, metadata layout, and refusal of files that are not a
// valid model or do not fit the data set.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModel, encodeModel, modelRecord, MODEL_FORMAT_VERSION, PIXEL_PREPROCESSING, type SoftmaxModel } from "../src/io/model.ts";
import { decodeSafetensors, encodeSafetensors } from "../src/io/safetensors.ts";

const CLASS_NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

function tinyModel(): SoftmaxModel {
  const inputs = 6;
  const classes = 3;
  return {
    W: Float32Array.from({ length: inputs * classes }, (_, i) => Math.sin(i) * 0.01),
    b: Float32Array.from([0.1, -0.2, 0.3]),
    inputs,
    classes,
    classNames: ["cat", "dog", "bird"],
    inputShape: [2, 3],
    preprocessing: PIXEL_PREPROCESSING,
    training: { epochs: 10, lr: 0.1, batchSize: 256, seed: 42, dataset: "tiny" },
    metrics: { trainLoss: 0.45, trainAcc: 0.85, testAcc: 0.83 },
  };
}

/** Re-encodes a model's tensors with edited metadata or tensors, to build broken files. */
function tamper(edit: (parts: { tensors: Record<string, { dtype: "F32"; shape: number[]; data: Float32Array }>; metadata: Record<string, string> }) => void): Uint8Array {
  const parts = decodeSafetensors(encodeModel(tinyModel()));
  edit(parts);
  return encodeSafetensors(parts.tensors, parts.metadata);
}

const refuses = (bytes: Uint8Array, message: RegExp, expect?: { inputs?: number; classes?: number }) =>
  assert.throws(() => decodeModel(bytes, { source: "model.safetensors", ...(expect && { expect }) }), (error: Error) => {
    assert.match(error.message, /^model\.safetensors: /);
    assert.match(error.message, message);
    return true;
  });

test("model file: round trip keeps weights, names, shape, preprocessing, training and metrics", () => {
  const model = tinyModel();
  const back = decodeModel(encodeModel(model), { expect: { inputs: 6, classes: 3 } });
  assert.deepEqual(back, model);
});

test("model file: W [inputs, classes] and b [classes] as F32, metadata values are strings", () => {
  const { tensors, metadata } = decodeSafetensors(encodeModel(tinyModel()));
  assert.deepEqual(tensors.W?.shape, [6, 3]);
  assert.deepEqual(tensors.b?.shape, [3]);
  assert.deepEqual(metadata, {
    format: "softmax-regression",
    format_version: String(MODEL_FORMAT_VERSION),
    class_names: '["cat","dog","bird"]',
    input_shape: "[2,3]",
    preprocessing: "pixel / 255",
    training: '{"epochs":10,"lr":0.1,"batchSize":256,"seed":42,"dataset":"tiny"}',
    metrics: '{"trainLoss":0.45,"trainAcc":0.85,"testAcc":0.83}',
  });
});

test("model file: a Fashion-MNIST sized model round-trips", () => {
  const model: SoftmaxModel = {
    ...tinyModel(),
    W: Float32Array.from({ length: 7840 }, (_, i) => ((i * 7919) % 1000) / 1e5 - 0.005),
    b: new Float32Array(10),
    inputs: 784,
    classes: 10,
    classNames: CLASS_NAMES,
    inputShape: [28, 28],
  };
  const bytes = encodeModel(model);
  assert.ok(bytes.length > 7850 * 4 && bytes.length < 7850 * 4 + 1024);
  assert.deepEqual(decodeModel(bytes, { expect: { inputs: 784, classes: 10 } }).W, model.W);
});

test("model file refuses: missing tensors, extra tensors and wrong tensor shapes", () => {
  refuses(tamper((p) => delete p.tensors.b), /not a valid model file: tensor "b" is missing/);
  refuses(tamper((p) => delete p.tensors.W), /not a valid model file: tensor "W" is missing/);
  refuses(tamper((p) => (p.tensors.extra = { dtype: "F32", shape: [1], data: new Float32Array(1) })), /unexpected tensors "extra"/);
  refuses(tamper((p) => (p.tensors.b = { dtype: "F32", shape: [2], data: new Float32Array(2) })), /b must have shape \[3\] to match W \[6, 3\], got \[2\]/);
  refuses(tamper((p) => (p.tensors.W = { dtype: "F32", shape: [18], data: new Float32Array(18) })), /W must have shape \[inputs, classes\], got \[18\]/);
});

test("model file refuses: a model whose sizes do not fit the data set", () => {
  const bytes = encodeModel(tinyModel());
  refuses(bytes, /the model takes 6 inputs \(2 × 3 images\) but the data has 784 per example; use a model trained on this data set/, { inputs: 784 });
  refuses(bytes, /the model predicts 3 classes but the data set has 10/, { classes: 10 });
});

test("model file refuses: wrong or missing metadata", () => {
  refuses(encodeSafetensors({ W: { dtype: "F32", shape: [1, 1], data: new Float32Array(1) } }), /not a softmax-regression model \(__metadata__\.format is null\)/);
  refuses(tamper((p) => (p.metadata.format_version = "2")), /format_version 2 is newer than this program reads \(1\); upgrade/);
  refuses(tamper((p) => (p.metadata.class_names = '["a","b"]')), /"class_names" must list 3 strings/);
  refuses(tamper((p) => (p.metadata.class_names = "[a, b")), /not a valid model file: metadata "class_names" is not valid JSON/);
  refuses(tamper((p) => delete p.metadata.class_names), /not a valid model file: metadata "class_names" is missing/);
  refuses(tamper((p) => (p.metadata.input_shape = "[3,3]")), /"input_shape" must be \[rows, cols\] with rows × cols = 6, got \[3,3\]/);
  refuses(tamper((p) => delete p.metadata.preprocessing), /"preprocessing" is missing/);
  refuses(tamper((p) => (p.metadata.metrics = "[1]")), /"metrics" must be a JSON object/);
});

test("model file refuses: non-finite weights", () => {
  refuses(tamper((p) => p.tensors.W && (p.tensors.W.data[4] = Number.NaN)), /W holds a non-finite value \(NaN\) at index 4/);
});

test("model file: the writer checks the model it is given", () => {
  assert.throws(() => encodeModel({ ...tinyModel(), b: new Float32Array(2) }), /b has 2 values, expected \[3\]/);
  assert.throws(() => encodeModel({ ...tinyModel(), inputShape: [3, 3] }), /input shape 3 × 3 does not hold 6 inputs/);
  assert.throws(() => encodeModel({ ...tinyModel(), classNames: ["a"] }), /1 class names for 3 classes/);
});

test("modelRecord: the data set's shape and names, the run's settings and the last epoch's metrics, round-tripping through the file", () => {
  const W = Float32Array.from({ length: 6 * 3 }, (_, i) => i / 10);
  const b = Float32Array.of(0.5, -0.5, 0);
  const record = modelRecord({
    W,
    b,
    data: { name: "toy", title: "Toy", dir: "/data/toy", rows: 2, cols: 3, classNames: ["a", "b", "c"] },
    training: { epochs: 5, lr: 0.1, batchSize: 4 },
    history: [
      { epoch: 1, trainLoss: 0.9, trainAcc: 0.5, testAcc: 0.4 },
      { epoch: 2, trainLoss: 0.7, trainAcc: 0.6, testAcc: 0.55 },
    ],
    seconds: 1.23456,
  });
  assert.equal(record.inputs, 6);
  assert.equal(record.classes, 3);
  assert.deepEqual(record.inputShape, [2, 3]);
  assert.equal(record.preprocessing, PIXEL_PREPROCESSING);
  assert.deepEqual(record.training, { dataset: "toy", dataTitle: "Toy", dataDir: "/data/toy", epochsCompleted: 2, epochs: 5, lr: 0.1, batchSize: 4 });
  assert.deepEqual(record.metrics, { epochs: 2, trainLoss: 0.7, trainAcc: 0.6, testAcc: 0.55, seconds: 1.235 });
  const back = decodeModel(encodeModel(record), { source: "record" });
  assert.deepEqual(back.W, W);
  assert.deepEqual(back.training, record.training);
  assert.deepEqual(back.metrics, record.metrics);
  // No epoch completed: the record says so instead of inventing metrics.
  const empty = modelRecord({ W, b, data: { name: "toy", title: "Toy", dir: "/d", rows: 2, cols: 3, classNames: ["a", "b", "c"] }, training: {}, history: [], seconds: 0 });
  assert.deepEqual(empty.metrics, { epochs: 0, seconds: 0 });
});
