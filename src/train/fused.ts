// The fastest training path for softmax regression: one graph-free step per batch on reused buffers —
// gather uint8 → float, X·W + b, fused softmax cross-entropy and its gradient, Xᵀ·G, bias gradient, SGD.
// Same model and updates as the autograd path with the stable loss; no Tensor ops, no allocation per batch.

import { getKernels } from "../kernels/current.ts";
import type { GatheredRows, RowIndex } from "../kernels/kernels.ts";
import type { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import { NonFiniteLossError } from "./nonFiniteLoss.ts";
import type { BatchMetrics } from "./types.ts";

/** Examples held as uint8 values: `images` [n, inputs] (0..255) and `labels` [n] class indices. */
export interface ByteExamples {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
}

/** The float buffers one batch works in, sized for `batchSize` rows and reused batch after batch. */
interface Workspace {
  X: Float32Array; // [B, D] the batch, pixels / 255
  y: Int32Array; // [B]
  logits: Float32Array; // [B, C] X·W + b
  loss: Float32Array; // [B]
  dlogits: Float32Array; // [B, C] softmax − onehot
  argmax: Int32Array; // [B]
  rowMax: Float32Array; // [B]
  dW: Float32Array; // [D, C]
  db: Float32Array; // [C]
}

function workspace(batchSize: number, D: number, C: number): Workspace {
  return {
    X: new Float32Array(batchSize * D),
    y: new Int32Array(batchSize),
    logits: new Float32Array(batchSize * C),
    loss: new Float32Array(batchSize),
    dlogits: new Float32Array(batchSize * C),
    argmax: new Int32Array(batchSize),
    rowMax: new Float32Array(batchSize),
    dW: new Float32Array(D * C),
    db: new Float32Array(C),
  };
}

function checkData(model: SoftmaxRegression, data: ByteExamples, op: string): void {
  if (data.images.length !== data.n * model.numInputs || data.labels.length !== data.n) {
    throw new RangeError(
      `${op}: expected ${data.n} examples of ${model.numInputs} values and ${data.n} labels, ` +
        `got ${data.images.length} values and ${data.labels.length} labels`,
    );
  }
}

/** The float batch X of `rows`: pixel / 255 (Kernels with a memory of their own gather it there). */
function batchOf(data: ByteExamples, D: number, rows: RowIndex): GatheredRows {
  return { src: data.images, rowLength: D, rows, start: 0, count: rows.length, scale: 1 / 255 };
}

/**
 * Writes the labels of rows[0:count] into ws.y and logits = X·W + b (X gathered into ws.X, unless the Kernels
 * gather it themselves). Returns the batch's correct count.
 */
function forward(model: SoftmaxRegression, data: ByteExamples, batch: GatheredRows, ws: Workspace, op: string): number {
  const k = getKernels();
  const { rows, count: B, rowLength: D } = batch;
  const C = model.numOutputs;
  for (let r = 0; r < B; r++) {
    const i = rows[r]!;
    if (!(i >= 0 && i < data.n)) throw new RangeError(`${op}: example index ${i} is outside [0, ${data.n})`);
    const label = data.labels[i]!;
    if (label >= C) throw new RangeError(`${op}: label ${label} of example ${i} is not a class index below ${C}`);
    ws.y[r] = label;
  }
  const logits = ws.logits.subarray(0, B * C);
  if (k.matmulGathered !== undefined) {
    k.matmulGathered(batch, model.W.data, logits, C);
  } else {
    const X = ws.X.subarray(0, B * D);
    k.gatherRows(data.images, D, rows, 0, B, 1 / 255, X);
    k.matmul(X, model.W.data, logits, B, D, C);
  }
  k.binary("add", logits, [C, 1], model.b.data, [0, 1], logits, [B, C]);
  k.max(logits, ws.rowMax, ws.argmax, B, C, 1);
  let correct = 0;
  for (let r = 0; r < B; r++) if (ws.argmax[r] === ws.y[r]) correct++;
  return correct;
}

export interface FusedEpochOptions {
  /** Epoch number for metrics and errors (from 1); default 1. */
  epoch?: number;
  onBatchEnd?: (metrics: BatchMetrics) => void;
}

/**
 * One epoch of SGD on softmax regression with the stable softmax cross-entropy, updating `model.W` and
 * `model.b` in place. `batches` yields the example indices of each batch (e.g. a DataIter's
 * `indexBatches()`), at most `batchSize` each. Returns [mean loss, accuracy] like `trainEpoch`;
 * throws `NonFiniteLossError` (epoch and batch from 1) before updating on a non-finite loss.
 */
export function fusedTrainEpoch(
  model: SoftmaxRegression,
  data: ByteExamples,
  batches: Iterable<RowIndex>,
  options: { lr: number; batchSize: number } & FusedEpochOptions,
): [number, number] {
  const { lr, batchSize, epoch = 1, onBatchEnd } = options;
  checkData(model, data, "fusedTrainEpoch");
  const k = getKernels();
  const D = model.numInputs;
  const C = model.numOutputs;
  const ws = workspace(batchSize, D, C);
  let lossTotal = 0;
  let correctTotal = 0;
  let seen = 0;
  let batch = 0;
  for (const rows of batches) {
    batch++;
    const B = rows.length;
    if (B > batchSize) throw new RangeError(`fusedTrainEpoch: batch ${batch} has ${B} examples, more than batchSize ${batchSize}`);
    if (B === 0) continue;
    const X = batchOf(data, D, rows);
    const correct = forward(model, data, X, ws, "fusedTrainEpoch");
    const logits = ws.logits.subarray(0, B * C);
    const dlogits = ws.dlogits.subarray(0, B * C);
    k.softmaxCrossEntropy(logits, ws.y, ws.loss, dlogits, B, C);
    let lossSum = 0;
    for (let r = 0; r < B; r++) lossSum += ws.loss[r]!;
    if (!Number.isFinite(lossSum)) throw new NonFiniteLossError({ epoch, batch, loss: lossSum });
    // Gradients of the summed loss: dW = Xᵀ·G [D, C], db = Σ_rows G [C]; then param −= lr · grad / B.
    if (k.matmulAtBGathered !== undefined) k.matmulAtBGathered(X, dlogits, ws.dW, C);
    else k.matmulAtB(ws.X.subarray(0, B * D), dlogits, ws.dW, B, D, C);
    k.sum(dlogits, ws.db, 1, B, C);
    k.axpy(-lr / B, ws.dW, model.W.data, D * C);
    k.axpy(-lr / B, ws.db, model.b.data, C);
    lossTotal += lossSum;
    correctTotal += correct;
    seen += B;
    onBatchEnd?.({ epoch, batch, size: B, loss: lossSum / B, accuracy: correct / B });
  }
  if (seen === 0) throw new RangeError("fusedTrainEpoch: the batches held no examples");
  return [lossTotal / seen, correctTotal / seen];
}

/** Accuracy of `model` over every example of `data`, in order, `batchSize` at a time. Like `evaluateAccuracy`. */
export function fusedEvaluateAccuracy(model: SoftmaxRegression, data: ByteExamples, batchSize = 256): number {
  checkData(model, data, "fusedEvaluateAccuracy");
  if (data.n === 0) throw new RangeError("fusedEvaluateAccuracy: no examples");
  const ws = workspace(batchSize, model.numInputs, model.numOutputs);
  const order = new Int32Array(data.n);
  for (let i = 0; i < data.n; i++) order[i] = i;
  let correct = 0;
  for (let start = 0; start < data.n; start += batchSize) {
    const rows = order.subarray(start, Math.min(start + batchSize, data.n));
    correct += forward(model, data, batchOf(data, model.numInputs, rows), ws, "fusedEvaluateAccuracy");
  }
  return correct / data.n;
}
