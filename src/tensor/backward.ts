// Every primitive's backward rule, in ONE table typed { [K in OpName]: BackwardRule<K> }:
// an op without a rule does not compile. Rules run under noGrad and never modify their arguments.

import { getKernels } from "../kernels/current.ts";
import type { BackwardRule, OpName } from "./graph.ts";
import { div, matmulAtBInto, mul, neg } from "./ops.ts";
import { broadcastStrides, reducedShape, sameShape, splitAtAxis } from "./shape.ts";
import { Tensor } from "./tensor.ts";

/**
 * Undoes broadcasting: sums `grad` over the axes along which an input of `shape` was repeated:
 * [2, 3] → [3] sums the rows; [2, 3] → [2, 1] sums each row.
 */
function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const current = [...grad.shape];
  const offset = current.length - shape.length;
  let data = grad.data;
  for (let d = 0; d < current.length; d++) {
    const target = d < offset ? 1 : shape[d - offset]!;
    if (target === 1 && current[d] !== 1) {
      const { outer, len, inner } = splitAtAxis(current, d);
      const out = new Float32Array(outer * inner);
      getKernels().sum(data, out, outer, len, inner);
      data = out;
      current[d] = 1;
    }
  }
  return new Tensor(data, shape);
}

/** Repeats `grad` (laid out as `from`, sizes 1 where it was reduced) back to `shape`. */
function expandTo(grad: Tensor, from: readonly number[], shape: readonly number[]): Tensor {
  const out = new Float32Array(grad.size === 0 ? 0 : shape.reduce((a, b) => a * b, 1));
  getKernels().expand(grad.data, broadcastStrides(from, shape), out, shape);
  return new Tensor(out, shape);
}

/** Routes grad[o, i] to position indices[o, i] of the reduced axis of a zero tensor shaped like `x`. */
function scatterTo(grad: Tensor, indices: Int32Array, x: Tensor, axis: number | null): Tensor {
  const { outer, len, inner } = axis === null ? { outer: 1, len: x.size, inner: 1 } : splitAtAxis(x.shape, axis);
  const out = new Float32Array(x.size);
  getKernels().scatterAdd(grad.data, indices, out, outer, len, inner);
  return new Tensor(out, x.shape);
}

/** The backward rule of every primitive op; each comment gives the derivative it applies. */
export const backwardRules: { [K in OpName]: BackwardRule<K> } = {
  // d(a + b) = da + db
  add: (g, [a, b]) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(g, b.shape) : null],

  // d(a − b) = da − db
  sub: (g, [a, b]) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? neg(sumTo(g, b.shape)) : null],

  // d(a · b) = b da + a db
  mul: (g, [a, b]) => [
    a.requiresGrad ? sumTo(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumTo(mul(g, a), b.shape) : null,
  ],

  // d(a / b) = da / b − (a / b²) db = da / b − out · db / b
  div: (g, [a, b], out) => [
    a.requiresGrad ? sumTo(div(g, b), a.shape) : null,
    b.requiresGrad ? neg(sumTo(div(mul(g, out), b), b.shape)) : null,
  ],

  // d(−x) = −dx
  neg: (g) => [neg(g)],

  // d(eˣ) = eˣ dx, and eˣ is the output
  exp: (g, _inputs, out) => [mul(g, out)],

  // d(log x) = dx / x
  log: (g, [x]) => [div(g, x)],

  // Every summed element receives the gradient of its sum.
  sum: (g, [x], _out, { axis }) => [
    expandTo(g, axis === null ? x.shape.map(() => 1) : reducedShape(x.shape, axis, true), x.shape),
  ],

  // Only the (first) maximum moved the output.
  max: (g, [x], _out, { axis, indices }) => [scatterTo(g, indices, x, axis)],

  // out = a·b: d a = g·bᵀ, d b = aᵀ·g
  matmul: (g, [a, b]) => {
    const [m, k] = a.shape as [number, number];
    const n = b.shape[1]!;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (a.requiresGrad) {
      da = new Tensor(new Float32Array(m * k), [m, k]);
      getKernels().matmulABt(g.data, b.data, da.data, m, n, k);
    }
    if (b.requiresGrad) {
      db = new Tensor(new Float32Array(k * n), [k, n]);
      matmulAtBInto(a, g.data, db.data, m, k, n);
    }
    return [da, db];
  },

  // out[i] = x[i, index[i]]: the gradient goes back to the picked entries, zero elsewhere.
  pick: (g, [x], _out, { index }) => [scatterTo(g, index, x, 1)],

  reshape: (g, [x]) => [new Tensor(g.data, x.shape)],

  // d loss_i / d z_ij = softmax(z_i)_j − [j = y_i], scaled by the incoming gradient of loss_i.
  softmaxCrossEntropy: (g, [z], _out, { dlogits }) => {
    const [rows, cols] = z.shape as [number, number];
    const out = new Float32Array(rows * cols);
    getKernels().binary("mul", dlogits, [cols, 1], g.data, [1, 0], out, [rows, cols]);
    return [new Tensor(out, [rows, cols])];
  },
};
