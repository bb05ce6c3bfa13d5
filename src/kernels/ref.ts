// The reference kernels: plain TypeScript loops, the spec every faster Kernels set is tested against.
// Written for speed within plain JS: loops stream memory, sums run in float64 locals, and the
// matrix products keep a 4 × 2 block of sums in registers. Nothing here allocates per element.

import type { BinaryOp, Kernels, RowIndex, UnaryOp } from "./kernels.ts";

/**
 * out[r, c] = Σ_t A(r, t) · B(t, c) for out [rows, cols], t < len, with A(r, t) = a[r·aRow + t·aStep] and
 * B(t, c) = b[t·bStep + c·bCol]: the three products below are this loop on other strides. Each sum runs in
 * float64 in the order of t. Four rows of A times two columns of B at a time: 8 running sums share each
 * load, which keeps the loop on the arithmetic instead of on memory.
 */
function product(
  a: Float32Array, aRow: number, aStep: number, b: Float32Array, bStep: number, bCol: number,
  out: Float32Array, rows: number, cols: number, len: number,
): void {
  // The walks along t end at aEnd (t = len); stepping one index per operand keeps the loops as lean as
  // the three hand-written products they replace (measured).
  const aEnd = len * aStep;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = r * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    const o0 = r * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let at = 0, bt = c * bCol; at < aEnd; at += aStep, bt += bStep) {
        const b0 = b[bt]!, b1 = b[bt + bCol]!;
        const x0 = a[a0 + at]!, x1 = a[a1 + at]!, x2 = a[a2 + at]!, x3 = a[a3 + at]!;
        s00 += x0 * b0; s01 += x0 * b1;
        s10 += x1 * b0; s11 += x1 * b1;
        s20 += x2 * b0; s21 += x2 * b1;
        s30 += x3 * b0; s31 += x3 * b1;
      }
      out[o0 + c] = s00; out[o0 + c + 1] = s01;
      out[o1 + c] = s10; out[o1 + c + 1] = s11;
      out[o2 + c] = s20; out[o2 + c + 1] = s21;
      out[o3 + c] = s30; out[o3 + c + 1] = s31;
    }
    if (c < cols) {
      // The last column when cols is odd.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let at = 0, bt = c * bCol; at < aEnd; at += aStep, bt += bStep) {
        const bv = b[bt]!;
        s0 += a[a0 + at]! * bv; s1 += a[a1 + at]! * bv; s2 += a[a2 + at]! * bv; s3 += a[a3 + at]! * bv;
      }
      out[o0 + c] = s0; out[o1 + c] = s1; out[o2 + c] = s2; out[o3 + c] = s3;
    }
  }
  // The last rows % 4 rows, one sum at a time.
  for (; r < rows; r++) {
    const ar = r * aRow;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let at = ar, bt = c * bCol; at < ar + aEnd; at += aStep, bt += bStep) s += a[at]! * b[bt]!;
      out[r * cols + c] = s;
    }
  }
}

/** out[m, n] = a[m, k] · b[k, n]: rows of `a` against columns of `b`. */
function matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void {
  product(a, k, 1, b, n, 1, out, m, n, k);
}

/** out[k, n] = aᵀ · b for a[m, k], b[m, n]: out[p, j] = Σ_i a[i, p] · b[i, j], four adjacent columns of `a` at a time. */
function matmulAtB(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void {
  product(a, 1, k, b, n, 1, out, k, n, m);
}

/** out[m, k] = a · bᵀ for a[m, n], b[k, n]: out[i, p] = Σ_j a[i, j] · b[p, j], both read along their rows. */
function matmulABt(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): void {
  product(a, n, 1, b, 1, n, out, m, k, n);
}

function unary(op: UnaryOp, x: Float32Array, out: Float32Array, n: number): void {
  switch (op) {
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return;
  }
}

/** Offset of the first element of row `row` (all axes but the last) under `strides`. */
function rowOffset(row: number, shape: readonly number[], strides: readonly number[]): number {
  let offset = 0;
  for (let d = shape.length - 2; d >= 0; d--) {
    const extent = shape[d]!;
    const index = row % extent;
    offset += index * strides[d]!;
    row = (row - index) / extent;
  }
  return offset;
}

function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d]! !== 1 && strides[d]! !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** One run of `n` outputs: out[o + t] = a[ao + t·as] op b[bo + t·bs]. */
function binaryRun(
  op: BinaryOp, a: Float32Array, ao: number, as: number,
  b: Float32Array, bo: number, bs: number, out: Float32Array, o: number, n: number,
): void {
  switch (op) {
    case "add":
      for (let t = 0; t < n; t++) out[o + t] = a[ao + t * as]! + b[bo + t * bs]!;
      return;
    case "sub":
      for (let t = 0; t < n; t++) out[o + t] = a[ao + t * as]! - b[bo + t * bs]!;
      return;
    case "mul":
      for (let t = 0; t < n; t++) out[o + t] = a[ao + t * as]! * b[bo + t * bs]!;
      return;
    case "div":
      for (let t = 0; t < n; t++) out[o + t] = a[ao + t * as]! / b[bo + t * bs]!;
      return;
  }
}

function binary(
  op: BinaryOp, a: Float32Array, aStrides: readonly number[],
  b: Float32Array, bStrides: readonly number[], out: Float32Array, shape: readonly number[],
): void {
  const size = out.length;
  if (size === 0) return;
  const nd = shape.length;
  if (nd === 0 || (isContiguous(aStrides, shape) && isContiguous(bStrides, shape))) {
    binaryRun(op, a, 0, 1, b, 0, 1, out, 0, size);
    return;
  }
  const n = shape[nd - 1]!;
  const as = aStrides[nd - 1]!, bs = bStrides[nd - 1]!;
  for (let row = 0, o = 0; o < size; row++, o += n) {
    binaryRun(op, a, rowOffset(row, shape, aStrides), as, b, rowOffset(row, shape, bStrides), bs, out, o, n);
  }
}

function expand(x: Float32Array, xStrides: readonly number[], out: Float32Array, shape: readonly number[]): void {
  const size = out.length;
  if (size === 0) return;
  const nd = shape.length;
  if (nd === 0) {
    out[0] = x[0]!;
    return;
  }
  const n = shape[nd - 1]!;
  const xs = xStrides[nd - 1]!;
  for (let row = 0, o = 0; o < size; row++, o += n) {
    const xo = rowOffset(row, shape, xStrides);
    for (let t = 0; t < n; t++) out[o + t] = x[xo + t * xs]!;
  }
}

/** Float64 running sums for `sum` over a middle axis, grown as needed and reused across calls. */
let sumScratch = new Float64Array(16);

function sum(x: Float32Array, out: Float32Array, outer: number, len: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * len;
      let s = 0;
      for (let l = 0; l < len; l++) s += x[base + l]!;
      out[o] = s;
    }
    return;
  }
  if (sumScratch.length < inner) sumScratch = new Float64Array(inner);
  const acc = sumScratch;
  for (let o = 0; o < outer; o++) {
    acc.fill(0, 0, inner);
    // Stream the slices x[o, l, :] one after the other, adding each into the running sums.
    for (let l = 0, base = o * len * inner; l < len; l++, base += inner) {
      for (let i = 0; i < inner; i++) acc[i]! += x[base + i]!;
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i]!;
  }
}

function max(x: Float32Array, out: Float32Array, indices: Int32Array, outer: number, len: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * len;
      let best = x[base]!;
      let at = 0;
      // `best === best` is false once best is NaN: the first NaN wins and ends the scan.
      for (let l = 1; l < len && best === best; l++) {
        const v = x[base + l]!;
        if (v > best || v !== v) {
          best = v;
          at = l;
        }
      }
      out[o] = best;
      indices[o] = at;
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    const xb = o * len * inner;
    for (let i = 0; i < inner; i++) {
      out[ob + i] = x[xb + i]!;
      indices[ob + i] = 0;
    }
    for (let l = 1, base = xb + inner; l < len; l++, base += inner) {
      for (let i = 0; i < inner; i++) {
        const v = x[base + i]!;
        const best = out[ob + i]!;
        if (v > best || (v !== v && best === best)) {
          out[ob + i] = v;
          indices[ob + i] = l;
        }
      }
    }
  }
}

function pick(x: Float32Array, indices: Int32Array, out: Float32Array, outer: number, len: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const q = o * inner + i;
      out[q] = x[(o * len + indices[q]!) * inner + i]!;
    }
  }
}

function scatterAdd(src: Float32Array, indices: Int32Array, out: Float32Array, outer: number, len: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const q = o * inner + i;
      out[(o * len + indices[q]!) * inner + i]! += src[q]!;
    }
  }
}

function axpy(alpha: number, x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) y[i]! += alpha * x[i]!;
}

function softmaxCrossEntropy(
  logits: Float32Array, labels: Int32Array, loss: Float32Array,
  dlogits: Float32Array | null, rows: number, cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    // The row max is subtracted only for stability: exp never overflows, the largest term is exp(0) = 1.
    let m = logits[base]!;
    for (let j = 1; j < cols && m === m; j++) {
      const v = logits[base + j]!;
      if (v > m || v !== v) m = v;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(logits[base + j]! - m);
      s += e;
      if (dlogits !== null) dlogits[base + j] = e;
    }
    const label = labels[r]!;
    // loss = log Σ exp(z − m) − (z_label − m) = logsumexp(z) − z_label
    loss[r] = Math.log(s) - (logits[base + label]! - m);
    if (dlogits !== null) {
      // d loss / d z_j = softmax(z)_j − [j = label]
      const inv = 1 / s;
      for (let j = 0; j < cols; j++) dlogits[base + j]! *= inv;
      dlogits[base + label]! -= 1;
    }
  }
}

function gatherRows(
  src: Uint8Array, rowLength: number, rows: RowIndex, start: number, count: number, scale: number, out: Float32Array,
): void {
  // Typed-array `set` converts each uint8 row to float32 natively; one pass then scales the batch.
  for (let r = 0; r < count; r++) {
    const s = rows[start + r]! * rowLength;
    out.set(src.subarray(s, s + rowLength), r * rowLength);
  }
  const n = count * rowLength;
  for (let i = 0; i < n; i++) out[i] = out[i]! * scale;
}

/** The reference kernels (plain TypeScript). */
export const ref: Kernels = {
  name: "ref",
  matmul,
  matmulAtB,
  matmulABt,
  unary,
  binary,
  expand,
  sum,
  max,
  pick,
  scatterAdd,
  axpy,
  softmaxCrossEntropy,
  gatherRows,
};
