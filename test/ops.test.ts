// Every primitive op on tiny inputs worked out by hand: values and gradients, broadcasting included,
// plus the autograd contract (accumulation, no graph without requiresGrad, graph freed by backward).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backwardRules } from "../src/tensor/backward.ts";
import { tensor } from "../src/tensor/create.ts";
import { noGrad } from "../src/tensor/graph.ts";
import { zeroGrad } from "../src/tensor/autograd.ts";
import { softmaxCrossEntropy } from "../src/tensor/ops.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { allClose, TOL } from "./helpers/allclose.ts";

const param = (values: number[] | number[][]): Tensor => tensor(values, undefined, { requiresGrad: true });
const upstream = (values: number[] | number[][] | number): Tensor => tensor(values);

describe("ops: exact values and gradients", () => {
  test("add [2,3] + [3]: the row broadcasts; its gradient sums the rows", () => {
    const a = param([[1, 2, 3], [4, 5, 6]]);
    const b = param([10, 20, 30]);
    const out = a.add(b);
    allClose(out, [[11, 22, 33], [14, 25, 36]], TOL.exact);
    out.backward(upstream([[1, 2, 3], [4, 5, 6]]));
    allClose(a.grad!, [[1, 2, 3], [4, 5, 6]], TOL.exact);
    allClose(b.grad!, [5, 7, 9], TOL.exact);
  });

  test("add [2,3] + [2,1]: the column broadcasts; its gradient sums each row", () => {
    const a = param([[1, 2, 3], [4, 5, 6]]);
    const b = param([[10], [20]]);
    const out = a.add(b);
    allClose(out, [[11, 12, 13], [24, 25, 26]], TOL.exact);
    out.backward(upstream([[1, 2, 3], [4, 5, 6]]));
    allClose(b.grad!, [[6], [15]], TOL.exact);
  });

  test("add a number: a scalar broadcast everywhere", () => {
    allClose(tensor([1, 2]).add(0.5), [1.5, 2.5], TOL.exact);
  });

  test("sub [2,2] − [2]: the subtrahend's gradient is minus the summed rows", () => {
    const a = param([[5, 6], [7, 8]]);
    const b = param([1, 2]);
    const out = a.sub(b);
    allClose(out, [[4, 4], [6, 6]], TOL.exact);
    out.backward(upstream([[1, 2], [3, 4]]));
    allClose(a.grad!, [[1, 2], [3, 4]], TOL.exact);
    allClose(b.grad!, [-4, -6], TOL.exact);
  });

  test("mul [2,1] * [1,3]: an outer product; each gradient sums over the other's axis", () => {
    const a = param([[2], [3]]);
    const b = param([[1, 2, 4]]);
    const out = a.mul(b);
    allClose(out, [[2, 4, 8], [3, 6, 12]], TOL.exact);
    out.backward(upstream([[1, 2, 3], [4, 5, 6]]));
    // da_i = Σ_j g_ij b_j, db_j = Σ_i g_ij a_i
    allClose(a.grad!, [[17], [38]], TOL.exact);
    allClose(b.grad!, [[14, 19, 24]], TOL.exact);
  });

  test("div: d(a/b) = da/b − a·db/b²", () => {
    const a = param([1, 6]);
    const b = param([2, 3]);
    const out = a.div(b);
    allClose(out, [0.5, 2], TOL.exact);
    out.backward(upstream([1, 1]));
    allClose(a.grad!, [1 / 2, 1 / 3], TOL.float32);
    allClose(b.grad!, [-1 / 4, -6 / 9], TOL.float32);
  });

  test("div [2,2] / [2,1]: each row divided by its own value (the chapter's X_exp / partition)", () => {
    const a = param([[1, 2], [3, 4]]);
    const b = param([[2], [4]]);
    const out = a.div(b);
    allClose(out, [[0.5, 1], [0.75, 1]], TOL.exact);
    out.backward(upstream([[1, 1], [1, 1]]));
    allClose(a.grad!, [[0.5, 0.5], [0.25, 0.25]], TOL.exact);
    allClose(b.grad!, [[-3 / 4], [-7 / 16]], TOL.exact);
  });

  test("neg", () => {
    const x = param([1, -2]);
    const out = x.neg();
    allClose(out, [-1, 2], TOL.exact);
    out.backward(upstream([3, 4]));
    allClose(x.grad!, [-3, -4], TOL.exact);
  });

  test("exp: its gradient is its value", () => {
    const x = param([0, 1]);
    const out = x.exp();
    allClose(out, [1, Math.E], TOL.float32);
    out.backward(upstream([1, 2]));
    allClose(x.grad!, [1, 2 * Math.E], TOL.float32);
  });

  test("log: d(log x) = dx / x; log 0 = −∞", () => {
    const x = param([1, 4]);
    const out = x.log();
    allClose(out, [0, Math.log(4)], TOL.float32);
    out.backward(upstream([1, 2]));
    allClose(x.grad!, [1, 0.5], TOL.exact);
    allClose(tensor([0]).log(), [-Infinity], TOL.exact);
  });

  test("sum of everything, over axis 0, and over axis 1 with keepdim", () => {
    const x = param([[1, 2, 3], [4, 5, 6]]);
    const all = x.sum();
    assert.deepEqual(all.shape, []);
    assert.equal(all.item(), 21);
    all.backward();
    allClose(x.grad!, [[1, 1, 1], [1, 1, 1]], TOL.exact);

    x.grad = null;
    const cols = x.sum(0);
    allClose(cols, [5, 7, 9], TOL.exact);
    cols.backward(upstream([1, 2, 3]));
    allClose(x.grad!, [[1, 2, 3], [1, 2, 3]], TOL.exact);

    x.grad = null;
    const rows = x.sum(1, { keepdim: true });
    allClose(rows, [[6], [15]], TOL.exact);
    rows.backward(upstream([[1], [2]]));
    allClose(x.grad!, [[1, 1, 1], [2, 2, 2]], TOL.exact);
    allClose(x.sum(-1), [6, 15], TOL.exact);
  });

  test("max over an axis: the gradient goes to the first maximum only", () => {
    const x = param([[1, 5, 3], [7, 2, 7]]);
    const rows = x.max(1);
    allClose(rows, [5, 7], TOL.exact);
    rows.backward(upstream([1, 2]));
    allClose(x.grad!, [[0, 1, 0], [2, 0, 0]], TOL.exact);

    x.grad = null;
    const cols = x.max(0, { keepdim: true });
    allClose(cols, [[7, 5, 7]], TOL.exact);
    cols.backward(upstream([[1, 1, 1]]));
    allClose(x.grad!, [[0, 1, 0], [1, 0, 1]], TOL.exact);

    x.grad = null;
    const all = x.max();
    assert.equal(all.item(), 7);
    all.backward();
    allClose(x.grad!, [[0, 0, 0], [1, 0, 0]], TOL.exact);
  });

  test("matmul [2,2]·[2,3]: d a = g·bᵀ, d b = aᵀ·g", () => {
    const a = param([[1, 2], [3, 4]]);
    const b = param([[5, 6, 7], [8, 9, 10]]);
    const out = a.matmul(b);
    allClose(out, [[21, 24, 27], [47, 54, 61]], TOL.exact);
    out.backward(upstream([[1, 1, 1], [1, 1, 1]]));
    allClose(a.grad!, [[18, 27], [18, 27]], TOL.exact);
    allClose(b.grad!, [[4, 4, 4], [6, 6, 6]], TOL.exact);
  });

  test("pick: y_hat[range(n), y]; the gradient lands on the picked entries", () => {
    const yHat = param([[0.1, 0.2, 0.7], [0.3, 0.4, 0.3]]);
    const picked = yHat.pick(Int32Array.of(2, 1));
    allClose(picked, [0.7, 0.4], TOL.float32); // 0.7 and 0.4 are not exact in float32
    picked.backward(upstream([1, 2]));
    allClose(yHat.grad!, [[0, 0, 1], [0, 2, 0]], TOL.exact);
  });

  test("reshape: same values, the gradient reshaped back", () => {
    const x = param([[1, 2, 3], [4, 5, 6]]);
    const y = x.reshape([3, -1]);
    assert.deepEqual(y.shape, [3, 2]);
    allClose(y, [[1, 2], [3, 4], [5, 6]], TOL.exact);
    y.backward(upstream([[1, 2], [3, 4], [5, 6]]));
    allClose(x.grad!, [[1, 2, 3], [4, 5, 6]], TOL.exact);
  });

  test("softmaxCrossEntropy: log 3 for equal logits; gradient softmax − onehot, scaled per row", () => {
    const z = param([[1, 1, 1], [0, 0, 0]]);
    const loss = softmaxCrossEntropy(z, [2, 0]);
    allClose(loss, [Math.log(3), Math.log(3)], TOL.float32);
    loss.backward(upstream([1, 2]));
    allClose(z.grad!, [[1 / 3, 1 / 3, -2 / 3], [-4 / 3, 2 / 3, 2 / 3]], TOL.float32);
  });
});

describe("autograd", () => {
  test("gradients accumulate across backward passes until zeroGrad", () => {
    const x = param([1, 2]);
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    allClose(x.grad!, [6, 6], TOL.exact);
    zeroGrad([x]);
    assert.equal(x.grad, null);
  });

  test("a tensor used twice receives both gradients (x·x → 2x)", () => {
    const x = param([3, -1]);
    x.mul(x).sum().backward();
    allClose(x.grad!, [6, -2], TOL.exact);
  });

  test("ops on tensors that need no gradient record no graph", () => {
    const X = tensor([[1, 2]]);
    const W = param([[1], [1]]);
    const plain = X.mul(2).exp();
    assert.equal(plain.requiresGrad, false);
    assert.equal(plain.node, null);
    const out = X.matmul(W).sum();
    out.backward();
    assert.equal(X.grad, null, "X never gets a gradient");
    allClose(W.grad!, [[1], [2]], TOL.exact);
  });

  test("noGrad: nothing inside records a graph, and the mode is restored after a throw", () => {
    const W = param([1, 2]);
    const out = noGrad(() => W.mul(2));
    assert.equal(out.requiresGrad, false);
    assert.equal(out.node, null);
    assert.throws(() => noGrad(() => { throw new Error("inside"); }), /inside/);
    assert.equal(W.mul(2).requiresGrad, true);
  });

  test("backward frees the graph: nodes are dropped, and a second backward through it throws", () => {
    const W = param([1, 2]);
    const hidden = W.exp();
    const loss = hidden.sum();
    loss.backward();
    assert.equal(hidden.node, null);
    assert.equal(loss.node, null);
    assert.throws(() => loss.backward(), /already freed/);
  });

  test("backward needs a one-element tensor or an explicit gradient of the same shape", () => {
    const x = param([1, 2]);
    assert.throws(() => x.mul(2).backward(), /l\.sum\(\)\.backward\(\)/);
    assert.throws(() => x.mul(2).backward(tensor([1, 2, 3])), /gradient shape \[3\]/);
    assert.throws(() => tensor([1]).backward(), /does not require grad/);
  });

  test("a backward-rule table missing an op does not compile", () => {
    const { log: _dropped, ...withoutLog } = backwardRules;
    // @ts-expect-error: the table's type { [K in OpName]: BackwardRule<K> } requires the "log" rule
    const incomplete: typeof backwardRules = withoutLog;
    assert.equal("log" in incomplete, false);
  });
});

describe("ops: shape errors name the shapes", () => {
  test("broadcasting mismatch", () => {
    assert.throws(() => tensor([[1, 2, 3]]).add(tensor([1, 2])), /shapes \[1, 3\] and \[2\] do not broadcast/);
  });
  test("matmul inner sizes", () => {
    assert.throws(() => tensor([[1, 2]]).matmul(tensor([[1, 2]])), /inner sizes 2 and 1 differ/);
  });
  test("pick index out of range", () => {
    assert.throws(() => tensor([[1, 2]]).pick([2]), /index 2 at row 0 is not an integer in \[0, 2\)/);
  });
  test("axis out of range", () => {
    assert.throws(() => tensor([1, 2]).sum(1), /axis 1 is out of range/);
  });
});
