// Kernel parity: ONE suite run over every Kernels implementation (today the reference loops; the WASM
// SIMD set joins the list), each kernel against an obvious float64 loop on seeded inputs of odd sizes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BinaryOp, Kernels, UnaryOp } from "../src/kernels/kernels.ts";
import { ref } from "../src/kernels/ref.ts";
import { selectKernels } from "../src/kernels/select.ts";
import { Rng } from "../src/tensor/random.ts";
import { allClose, TOL } from "./helpers/allclose.ts";

/** Every Kernels implementation the suite runs over: the reference and the WebAssembly SIMD set (`npm run build`). */
const implementations: Kernels[] = [ref, (await selectKernels("wasm")).kernels];

const f32 = Math.fround;

function random(n: number, rng: Rng, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

/** Sizes that are not multiples of 4 or 2, plus single rows, columns and classes, and the chapter's batch. */
const matmulSizes: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [5, 3, 1], [1, 9, 10], [7, 13, 9], [4, 784, 10], [3, 5, 10], [9, 1, 3], [13, 17, 11], [6, 4, 2],
  [37, 50, 3], [256, 784, 10],
];

/**
 * Tolerance of the matrix products against float64. The reference sums in float64 and rounds once; the SIMD
 * kernels sum in float32, four lanes of k/4 terms each, so their error grows like √k·ε·Σ|a·b| (about 3e-6
 * at k = 784 here): the "reordered" tolerance. A wrong kernel (a term missed or doubled) is off by ~0.1.
 */
const productTol = (kernels: Kernels) => (kernels === ref ? TOL.float32 : TOL.reordered);

/** The spacing of float32 values at |v| (subnormals: 2⁻¹⁴⁹). */
function ulp(v: number): number {
  const a = Math.abs(v);
  return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Each actual within `ulps` float32 ulps of the expected value; 0, ±∞ and NaN exactly. */
function assertUlps(actual: ArrayLike<number>, expected: ArrayLike<number>, ulps: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const ok = Number.isFinite(e) && e !== 0 ? Math.abs(a - e) <= ulps * ulp(e) : Object.is(a, e) || (e === 0 && Math.abs(a) <= ulps * 2 ** -149);
    assert.ok(ok, `${what}[${i}]: ${a} is not within ${ulps} ulps of ${e}`);
  }
}

function naiveMatmul(A: (i: number, p: number) => number, B: (p: number, j: number) => number, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
    out[i * n + j] = s;
  }
  return out;
}

for (const kernels of implementations) {
  describe(`kernels: ${kernels.name}`, () => {
    const rng = new Rng(7);

    test("matmul: out[m,n] = a[m,k]·b[k,n]", () => {
      for (const [m, k, n] of matmulSizes) {
        const a = random(m * k, rng), b = random(k * n, rng), out = new Float32Array(m * n).fill(Number.NaN);
        kernels.matmul(a, b, out, m, k, n);
        allClose(out, naiveMatmul((i, p) => a[i * k + p]!, (p, j) => b[p * n + j]!, m, k, n), productTol(kernels), `[${m},${k}]·[${k},${n}]`);
      }
    });

    test("matmulAtB: out[k,n] = aᵀ·b for a[m,k], b[m,n]", () => {
      for (const [m, k, n] of matmulSizes) {
        const a = random(m * k, rng), b = random(m * n, rng), out = new Float32Array(k * n).fill(Number.NaN);
        kernels.matmulAtB(a, b, out, m, k, n);
        allClose(out, naiveMatmul((p, i) => a[i * k + p]!, (i, j) => b[i * n + j]!, k, m, n), productTol(kernels), `[${m},${k}]ᵀ·[${m},${n}]`);
      }
    });

    test("matmulABt: out[m,k] = a·bᵀ for a[m,n], b[k,n]", () => {
      for (const [m, n, k] of matmulSizes) {
        const a = random(m * n, rng), b = random(k * n, rng), out = new Float32Array(m * k).fill(Number.NaN);
        kernels.matmulABt(a, b, out, m, n, k);
        allClose(out, naiveMatmul((i, j) => a[i * n + j]!, (j, p) => b[p * n + j]!, m, n, k), productTol(kernels), `[${m},${n}]·[${k},${n}]ᵀ`);
      }
    });

    test("unary: neg, exp, log (log of 0 is −∞, of a negative NaN), in place too", () => {
      const fns: Record<UnaryOp, (v: number) => number> = { neg: (v) => -v, exp: Math.exp, log: Math.log };
      const x = Float32Array.of(...random(13, rng, -3, 3), 0, -0, Infinity, -Infinity, Number.NaN);
      for (const [op, fn] of Object.entries(fns) as [UnaryOp, (v: number) => number][]) {
        const out = new Float32Array(x.length);
        kernels.unary(op, x, out, x.length);
        const want = Array.from(x, (v) => f32(fn(v)));
        if (op === "exp" && kernels !== ref) assertUlps(out, want, 2, op);
        else allClose(out, want, TOL.exact, op);
        const inPlace = x.slice();
        kernels.unary(op, inPlace, inPlace, inPlace.length);
        allClose(inPlace, out, TOL.exact, `${op} in place`);
      }
    });

    test("unary exp: within 2 ulps of Math.exp (the reference: exactly it) from underflow to overflow, subnormals included", () => {
      const x = Float32Array.from({ length: 20011 }, (_, i) => f32(-105 + (195 * i) / 20010));
      const out = new Float32Array(x.length);
      kernels.unary("exp", x, out, x.length);
      assertUlps(out, Array.from(x, (v) => f32(Math.exp(v))), kernels === ref ? 0 : 2, "exp");
    });

    test("binary: add, sub, mul, div under broadcast strides", () => {
      const fns: Record<BinaryOp, (x: number, y: number) => number> = {
        add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
      };
      // [shape, aStrides, bStrides]: same shape, row vector, column vector, outer product, scalar, 3-D, 1 column.
      const layouts: [number[], number[], number[]][] = [
        [[3, 5], [5, 1], [5, 1]],
        [[3, 5], [5, 1], [0, 1]],
        [[3, 5], [5, 1], [1, 0]],
        [[3, 5], [1, 0], [0, 1]],
        [[7], [1], [0]],
        [[2, 3, 5], [15, 5, 1], [0, 1, 0]],
        [[5, 1], [1, 1], [0, 0]],
        // Laid out as the output, or one value: run as one row (odd lengths, so the tail is not a row's).
        [[7, 10], [10, 1], [10, 1]],
        [[7, 10], [0, 0], [10, 1]],
        [[9, 1], [1, 0], [1, 0]],
        [[9, 1], [1, 0], [0, 0]],
        [[], [], []],
      ];
      for (const [op, fn] of Object.entries(fns) as [BinaryOp, (x: number, y: number) => number][]) {
        for (const [shape, as, bs] of layouts) {
          const size = shape.reduce((p, d) => p * d, 1);
          const span = (strides: number[]): number => 1 + shape.reduce((s, d, i) => s + (d - 1) * strides[i]!, 0);
          const a = random(span(as), rng), b = random(span(bs), rng, 0.5, 2);
          const out = new Float32Array(size).fill(Number.NaN);
          kernels.binary(op, a, as, b, bs, out, shape);
          const expected = Array.from({ length: size }, (_, flat) => {
            let ao = 0, bo = 0, rem = flat;
            for (let d = shape.length - 1; d >= 0; d--) {
              const idx = rem % shape[d]!;
              rem = Math.floor(rem / shape[d]!);
              ao += idx * as[d]!;
              bo += idx * bs[d]!;
            }
            return f32(fn(a[ao]!, b[bo]!));
          });
          allClose(out, expected, TOL.exact, `${op} over [${shape}]`);
        }
      }
    });

    test("expand: repeats along zero strides", () => {
      const x = Float32Array.of(1, 2, 3);
      const out = new Float32Array(6);
      kernels.expand(x, [0, 1], out, [2, 3]);
      allClose(out, [1, 2, 3, 1, 2, 3], TOL.exact);
      kernels.expand(Float32Array.of(4, 5), [1, 0], out, [2, 3]);
      allClose(out, [4, 4, 4, 5, 5, 5], TOL.exact);
    });

    const layouts: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [5, 3, 1], [3, 5, 7], [1, 9, 10], [4, 1, 3], [2, 256, 10]];

    test("sum over the middle of [outer, len, inner]", () => {
      for (const [outer, len, inner] of layouts) {
        const x = random(outer * len * inner, rng);
        const out = new Float32Array(outer * inner).fill(Number.NaN);
        kernels.sum(x, out, outer, len, inner);
        const expected = Array.from({ length: outer * inner }, (_, q) => {
          const o = Math.floor(q / inner), i = q % inner;
          let s = 0;
          for (let l = 0; l < len; l++) s += x[(o * len + l) * inner + i]!;
          return s;
        });
        allClose(out, expected, TOL.float32, `[${outer}, ${len}, ${inner}]`);
      }
    });

    test("max: values and the index of the first maximum", () => {
      for (const [outer, len, inner] of layouts) {
        const x = Float32Array.from({ length: outer * len * inner }, () => rng.int(5)); // ties on purpose
        const out = new Float32Array(outer * inner);
        const indices = new Int32Array(outer * inner).fill(-1);
        kernels.max(x, out, indices, outer, len, inner);
        for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
          let best = -Infinity, at = -1;
          for (let l = 0; l < len; l++) if (x[(o * len + l) * inner + i]! > best) { best = x[(o * len + l) * inner + i]!; at = l; }
          assert.equal(out[o * inner + i], best);
          assert.equal(indices[o * inner + i], at, `first maximum of slice (${o}, ${i}) in [${outer}, ${len}, ${inner}]`);
        }
      }
    });

    test("max: NaN propagates and its position is reported, along rows and down columns", () => {
      const rows = Float32Array.of(1, Number.NaN, 3, Number.NaN, 0, 2);
      const out = new Float32Array(2);
      const idx = new Int32Array(2);
      kernels.max(rows, out, idx, 2, 3, 1);
      allClose(out, [Number.NaN, Number.NaN], TOL.exact);
      assert.deepEqual([...idx], [1, 0]);
      kernels.max(Float32Array.of(1, 5, Number.NaN, 2, 3, Number.NaN), out, idx, 1, 3, 2);
      allClose(out, [Number.NaN, Number.NaN], TOL.exact);
      assert.deepEqual([...idx], [1, 2]);
    });

    test("pick and scatterAdd are inverse gathers along an axis", () => {
      for (const [outer, len, inner] of layouts) {
        const x = random(outer * len * inner, rng);
        const index = Int32Array.from({ length: outer * inner }, () => rng.int(len));
        const picked = new Float32Array(outer * inner);
        kernels.pick(x, index, picked, outer, len, inner);
        const scattered = new Float32Array(outer * len * inner);
        kernels.scatterAdd(picked, index, scattered, outer, len, inner);
        for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
          const q = o * inner + i;
          const at = (o * len + index[q]!) * inner + i;
          assert.equal(picked[q], x[at]);
          assert.equal(scattered[at], x[at]);
        }
        const total = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);
        allClose([total(scattered)], [total(picked)], TOL.float32, "scatterAdd writes nothing else");
      }
    });

    test("axpy: y += alpha · x", () => {
      const x = random(11, rng), y = random(11, rng);
      const expected = Array.from(y, (v, i) => f32(v + -0.3 * x[i]!));
      kernels.axpy(-0.3, x, y, 11);
      allClose(y, expected, TOL.exact);
    });

    test("softmaxCrossEntropy: loss = logsumexp − z_label and gradient softmax − onehot, odd sizes and 1 class", () => {
      for (const [rows, cols] of [[1, 1], [5, 1], [1, 10], [7, 3], [256, 10], [3, 11]] as const) {
        const z = random(rows * cols, rng, -5, 5);
        const y = Int32Array.from({ length: rows }, () => rng.int(cols));
        const loss = new Float32Array(rows), grad = new Float32Array(rows * cols);
        kernels.softmaxCrossEntropy(z, y, loss, grad, rows, cols);
        const expectedLoss: number[] = [], expectedGrad: number[] = [];
        for (let r = 0; r < rows; r++) {
          const row = Array.from(z.subarray(r * cols, (r + 1) * cols));
          const total = row.reduce((s, v) => s + Math.exp(v), 0);
          expectedLoss.push(Math.log(total) - row[y[r]!]!);
          row.forEach((v, j) => expectedGrad.push(Math.exp(v) / total - (j === y[r] ? 1 : 0)));
        }
        allClose(loss, expectedLoss, TOL.float32, `loss [${rows}, ${cols}]`);
        allClose(grad, expectedGrad, TOL.float32, `gradient [${rows}, ${cols}]`);
        const lossOnly = new Float32Array(rows);
        kernels.softmaxCrossEntropy(z, y, lossOnly, null, rows, cols);
        allClose(lossOnly, loss, TOL.exact, "without the gradient");
      }
    });

    test("softmaxCrossEntropy: stable for logits ±1000; NaN propagates", () => {
      const loss = new Float32Array(2), grad = new Float32Array(4);
      kernels.softmaxCrossEntropy(Float32Array.of(-1000, 1000, 1000, 1000), Int32Array.of(0, 1), loss, grad, 2, 2);
      allClose(loss, [2000, Math.log(2)], TOL.float32);
      allClose(grad, [-1, 1, 0.5, -0.5], TOL.float32);
      kernels.softmaxCrossEntropy(Float32Array.of(Number.NaN, 1, 0, 0), Int32Array.of(1, 0), loss, grad, 2, 2);
      assert.ok(Number.isNaN(loss[0]!) && Number.isNaN(grad[0]!) && Number.isNaN(grad[1]!));
      assert.equal(loss[1], f32(Math.log(2)));
    });

    test("gatherRows: uint8 rows in any order, × 1/255, equal to pixel / 255 in float32", () => {
      const rowLength = 13, n = 9;
      const src = Uint8Array.from({ length: n * rowLength }, (_, i) => (i * 37) % 256);
      src[0] = 255;
      for (const rows of [Uint32Array.of(8, 0, 3, 3, 5), Int32Array.of(2, 7, 1, 0, 8)]) {
        const out = new Float32Array(3 * rowLength).fill(Number.NaN);
        kernels.gatherRows(src, rowLength, rows, 1, 3, 1 / 255, out);
        const expected: number[] = [];
        for (let r = 1; r < 4; r++) for (let c = 0; c < rowLength; c++) expected.push(f32(src[rows[r]! * rowLength + c]! / 255));
        allClose(out, expected, TOL.exact);
      }
    });
  });
}
