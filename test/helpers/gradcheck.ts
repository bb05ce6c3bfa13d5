// Finite-difference gradient checks: the float32 autograd gradient of Σ r·f(x) against central
// differences of a float64 reference of f, plus the float64 references (obvious loops) they need.

import { allClose, TOL, type Tolerance } from "./allclose.ts";
import { Rng } from "../../src/tensor/random.ts";
import { Tensor } from "../../src/tensor/tensor.ts";

/** A flat float64 array with its shape. */
export interface F64 {
  data: Float64Array;
  shape: number[];
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A float32 tensor of seeded values uniform in [lo, hi), requiring grad. */
export function randomTensor(shape: number[], rng: Rng, lo = -1, hi = 1): Tensor {
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return new Tensor(data, shape, { requiresGrad: true });
}

/**
 * Checks every input's gradient: analytic = backward of f32(...inputs) seeded with fixed random weights r;
 * numeric = central differences (step h, float64) of Σ r·f64(...inputs as float64).
 */
export function gradcheck(
  f32: (...xs: Tensor[]) => Tensor,
  f64: (...xs: F64[]) => F64,
  inputs: Tensor[],
  options: { h?: number; tol?: Tolerance; seed?: number } = {},
): void {
  const { h = 1e-6, tol = TOL.gradcheck, seed = 99 } = options;
  for (const x of inputs) x.grad = null;
  const out = f32(...inputs);
  const rng = new Rng(seed);
  const r = new Float32Array(out.size);
  for (let i = 0; i < r.length; i++) r[i] = 0.5 + rng.uniform();
  out.backward(new Tensor(r, out.shape));

  const base = inputs.map((x) => ({ data: Float64Array.from(x.data), shape: [...x.shape] }));
  const objective = (): number => {
    const y = f64(...base);
    if (y.data.length !== r.length) throw new Error(`gradcheck: the float64 reference returned ${y.data.length} values, expected ${r.length}`);
    let s = 0;
    for (let i = 0; i < r.length; i++) s += r[i]! * y.data[i]!;
    return s;
  };
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    const values = base[k]!.data;
    const numeric = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      values[i] = v + h;
      const up = objective();
      values[i] = v - h;
      const down = objective();
      values[i] = v;
      numeric[i] = (up - down) / (2 * h);
    }
    if (x.grad === null) throw new Error(`gradcheck: input ${k} requires grad but received none`);
    allClose(x.grad, { data: numeric, shape: x.shape }, tol, `gradient of input ${k}`);
  });
}

// ---- float64 references: the obvious loops, the spec the float32 ops are checked against ----

/** Elementwise with NumPy broadcasting. */
export function broadcast64(a: F64, b: F64, fn: (x: number, y: number) => number): F64 {
  const nd = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]): number[] => [...new Array<number>(nd - s.length).fill(1), ...s];
  const as = pad(a.shape), bs = pad(b.shape);
  const shape = as.map((d, i) => Math.max(d, bs[i]!));
  const out = new Float64Array(size(shape));
  const index = (s: number[], idx: number[]): number => s.reduce((off, d, i) => off * d + (d === 1 ? 0 : idx[i]!), 0);
  for (let flat = 0; flat < out.length; flat++) {
    const idx: number[] = [];
    let rem = flat;
    for (let i = nd - 1; i >= 0; i--) {
      idx[i] = rem % shape[i]!;
      rem = Math.floor(rem / shape[i]!);
    }
    out[flat] = fn(a.data[index(as, idx)]!, b.data[index(bs, idx)]!);
  }
  return { data: out, shape };
}

export function map64(a: F64, fn: (x: number) => number): F64 {
  return { data: a.data.map(fn), shape: a.shape };
}

/** Reduction over `axis` (or everything when null) with `fn(values)`. */
export function reduce64(a: F64, axis: number | null, keepdim: boolean, fn: (values: number[]) => number): F64 {
  if (axis === null) return { data: Float64Array.of(fn([...a.data])), shape: keepdim ? a.shape.map(() => 1) : [] };
  const outer = size(a.shape.slice(0, axis)), len = a.shape[axis]!, inner = size(a.shape.slice(axis + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const values: number[] = [];
      for (let l = 0; l < len; l++) values.push(a.data[(o * len + l) * inner + i]!);
      out[o * inner + i] = fn(values);
    }
  }
  const shape = keepdim ? a.shape.map((d, i) => (i === axis ? 1 : d)) : a.shape.filter((_, i) => i !== axis);
  return { data: out, shape };
}

export const sumOf = (values: number[]): number => values.reduce((s, v) => s + v, 0);
export const maxOf = (values: number[]): number => Math.max(...values);

export function matmul64(a: F64, b: F64): F64 {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p]! * b.data[p * n + j]!;
      out[i * n + j] = s;
    }
  }
  return { data: out, shape: [m, n] };
}

export function pick64(a: F64, index: ArrayLike<number>): F64 {
  const cols = a.shape[1]!;
  return { data: Float64Array.from({ length: index.length }, (_, i) => a.data[i * cols + index[i]!]!), shape: [index.length] };
}

/** Softmax over the last axis of a 2-D array, in float64 (max-shifted: exact in float64 for the sizes used). */
export function softmax64(a: F64): F64 {
  const cols = a.shape[a.shape.length - 1]!;
  const out = new Float64Array(a.data.length);
  for (let r = 0; r < a.data.length / cols; r++) {
    const row = a.data.subarray(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    for (let j = 0; j < cols; j++) out[r * cols + j] = Math.exp(row[j]! - m) / s;
  }
  return { data: out, shape: a.shape };
}

export function logSoftmax64(a: F64): F64 {
  return map64(softmax64(a), Math.log);
}
