// The primitive ops' forward passes: check shapes, run the current kernels, and record a graph node
// when grad mode is on and an input requires grad. Their backward rules live in backward.ts (one table).

import { getKernels } from "../kernels/current.ts";
import type { BinaryOp, GatheredRows, UnaryOp } from "../kernels/kernels.ts";
import { isGradEnabled, type OpName, type Ops } from "./graph.ts";
import {
  broadcastShapes,
  broadcastStrides,
  formatShape,
  normalizeAxis,
  reducedShape,
  resolveReshape,
  sizeOf,
  splitAtAxis,
} from "./shape.ts";
import type { Storage } from "./storage.ts";
import { Tensor } from "./tensor.ts";

/** A tensor, or a plain number standing for a scalar tensor. */
export type TensorLike = Tensor | number;

/** Options of the reductions (PyTorch's `keepdim=True` keyword). */
export interface ReduceOptions {
  /** Keep the reduced axis as size 1, so the result broadcasts against the input. */
  keepdim?: boolean;
}

/** Class or position indices: an Int32Array, or any array of integers (copied and checked). */
export type IndexLike = Int32Array | ArrayLike<number>;

function asTensor(x: TensorLike): Tensor {
  return typeof x === "number" ? new Tensor(Float32Array.of(x), []) : x;
}

/** Whether an op on `inputs` must record a node: grad mode is on and some input requires grad. */
function tracks(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

function result<K extends OpName>(
  op: K, data: Float32Array | Storage, shape: readonly number[], inputs: Ops[K]["inputs"], saved: Ops[K]["saved"], track: boolean,
): Tensor {
  const out = new Tensor(data, shape);
  if (track) {
    out.requiresGrad = true;
    out.node = { op, inputs, saved };
  }
  return out;
}

function binary(op: BinaryOp, x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = new Float32Array(sizeOf(shape));
  getKernels().binary(op, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), out, shape);
  return result(op, out, shape, [a, b], null, tracks([a, b]));
}

/** a + b, broadcast (NumPy rules). */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary("add", a, b);
}

/** a − b, broadcast. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary("sub", a, b);
}

/** a · b elementwise, broadcast. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary("mul", a, b);
}

/** a / b elementwise, broadcast. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary("div", a, b);
}

function unary(op: UnaryOp & OpName, x: Tensor): Tensor {
  const out = new Float32Array(x.size);
  getKernels().unary(op, x.data, out, x.size);
  return result(op, out, x.shape, [x], null, tracks([x]));
}

/** −x elementwise. */
export function neg(x: Tensor): Tensor {
  return unary("neg", x);
}

/** eˣ elementwise. */
export function exp(x: Tensor): Tensor {
  return unary("exp", x);
}

/** Natural log elementwise (log 0 = −∞, log of a negative = NaN). */
export function log(x: Tensor): Tensor {
  return unary("log", x);
}

/** Resolves an optional axis into the [outer, len, inner] layout and the output shape. */
function reduction(x: Tensor, axis: number | undefined, keepdim: boolean, op: string) {
  if (axis === undefined) {
    return { axis: null, outer: 1, len: x.size, inner: 1, shape: keepdim ? x.shape.map(() => 1) : [] };
  }
  const ax = normalizeAxis(axis, x.shape.length, op);
  return { axis: ax, ...splitAtAxis(x.shape, ax), shape: reducedShape(x.shape, ax, keepdim) };
}

/** Sum over `axis` (every element when omitted): [.., n, ..] → [..] (or [.., 1, ..] with keepdim). */
export function sum(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  const keepdim = options.keepdim ?? false;
  const r = reduction(x, axis, keepdim, "sum");
  const out = new Float32Array(r.outer * r.inner);
  getKernels().sum(x.data, out, r.outer, r.len, r.inner);
  return result("sum", out, r.shape, [x], { axis: r.axis, keepdim }, tracks([x]));
}

/** Max over `axis` (every element when omitted); NaN propagates. The gradient flows to the first maximum. */
export function max(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  const keepdim = options.keepdim ?? false;
  const r = reduction(x, axis, keepdim, "max");
  if (r.len === 0) throw new RangeError(`max: cannot reduce an empty axis of ${formatShape(x.shape)}`);
  const out = new Float32Array(r.outer * r.inner);
  const indices = new Int32Array(r.outer * r.inner);
  getKernels().max(x.data, out, indices, r.outer, r.len, r.inner);
  return result("max", out, r.shape, [x], { axis: r.axis, keepdim, indices }, tracks([x]));
}

/** Index of the maximum along `axis` (first one on ties; NaN counts as the maximum), shape without `axis`. */
export function argmax(x: Tensor, axis = -1): Int32Array {
  const r = reduction(x, axis, false, "argmax");
  if (r.len === 0) throw new RangeError(`argmax: cannot reduce an empty axis of ${formatShape(x.shape)}`);
  const indices = new Int32Array(r.outer * r.inner);
  getKernels().max(x.data, new Float32Array(r.outer * r.inner), indices, r.outer, r.len, r.inner);
  return indices;
}

/** Matrix product: a [m, k] · b [k, n] → [m, n]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new RangeError(
      `matmul: expects two 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}; reshape vectors to [1, n] or [n, 1]`,
    );
  }
  const [m, k] = a.shape as [number, number];
  const [k2, n] = b.shape as [number, number];
  if (k !== k2) {
    throw new RangeError(`matmul: ${formatShape(a.shape)} · ${formatShape(b.shape)}: inner sizes ${k} and ${k2} differ`);
  }
  const out = new Float32Array(m * n);
  matmulInto(a, b.data, out, m, k, n);
  return result("matmul", out, [m, n], [a, b], null, tracks([a, b]));
}

/**
 * The batch description behind `x` when its values are still to be gathered as [rows, cols] (a data
 * iterator's batch, maybe reshaped), for kernels that gather it themselves; null otherwise.
 */
function gatheredRows(x: Tensor, rows: number, cols: number): GatheredRows | null {
  const g = x.storage.gatheredRows;
  return g !== null && g.count === rows && g.rowLength === cols ? g : null;
}

/** out = a·b for a [m, k], b [k, n] on the current kernels; those that can gather an unread data batch `a` themselves do. */
export function matmulInto(a: Tensor, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void {
  const kernels = getKernels();
  const rows = gatheredRows(a, m, k);
  if (rows !== null && kernels.matmulGathered !== undefined) kernels.matmulGathered(rows, b, out, n);
  else kernels.matmul(a.data, b, out, m, k, n);
}

/** out = aᵀ·g for a [m, k], g [m, n] (the weight gradient), as `matmulInto` treats `a`. */
export function matmulAtBInto(a: Tensor, g: Float32Array, out: Float32Array, m: number, k: number, n: number): void {
  const kernels = getKernels();
  const rows = gatheredRows(a, m, k);
  if (rows !== null && kernels.matmulAtBGathered !== undefined) kernels.matmulAtBGathered(rows, g, out, n);
  else kernels.matmulAtB(a.data, g, out, m, k, n);
}

/** Checks that `index` holds `rows` integers in [0, cols) and returns it as an Int32Array. */
export function toIndex(index: IndexLike, rows: number, cols: number, op: string): Int32Array {
  if (index.length !== rows) {
    throw new RangeError(`${op}: expected ${rows} indices (one per row), got ${index.length}`);
  }
  const out = index instanceof Int32Array ? index : Int32Array.from(index);
  for (let i = 0; i < rows; i++) {
    const v = out[i]!;
    if (v < 0 || v >= cols || v !== index[i]) {
      throw new RangeError(`${op}: index ${index[i]} at row ${i} is not an integer in [0, ${cols})`);
    }
  }
  return out;
}

/** Row pick: out[i] = x[i, index[i]] for x [n, c] → [n] (d2l: `y_hat[range(len(y_hat)), y]`). */
export function pick(x: Tensor, index: IndexLike): Tensor {
  if (x.shape.length !== 2) throw new RangeError(`pick: expects a 2-D tensor [rows, cols], got ${formatShape(x.shape)}`);
  const [rows, cols] = x.shape as [number, number];
  const idx = toIndex(index, rows, cols, "pick");
  const out = new Float32Array(rows);
  getKernels().pick(x.data, idx, out, rows, cols, 1);
  return result("pick", out, [rows], [x], { index: idx }, tracks([x]));
}

/** The same values under another shape (one dimension may be -1: inferred). Shares the data. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveReshape(shape, x.size, x.shape);
  return result("reshape", x.storage, resolved, [x], null, tracks([x]));
}

/**
 * Fused, stable cross-entropy from logits: loss[i] = logsumexp(z[i, :]) − z[i, y[i]] for z [n, c] → [n].
 * Same value as `−logSoftmax(z).pick(y)`; its gradient softmax(z) − onehot(y) is computed in one pass.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: IndexLike): Tensor {
  if (logits.shape.length !== 2) {
    throw new RangeError(`softmaxCrossEntropy: expects logits [rows, classes], got ${formatShape(logits.shape)}`);
  }
  const [rows, cols] = logits.shape as [number, number];
  const y = toIndex(labels, rows, cols, "softmaxCrossEntropy");
  const track = tracks([logits]);
  const loss = new Float32Array(rows);
  const dlogits = track ? new Float32Array(rows * cols) : null;
  getKernels().softmaxCrossEntropy(logits.data, y, loss, dlogits, rows, cols);
  return result("softmaxCrossEntropy", loss, [rows], [logits], { dlogits: dlogits ?? new Float32Array(0) }, track);
}
