// The chapter's functions: softmax (naive and stable) with the named numeric edge cases, the losses
// (fused equals composite), accuracy as a count, the sgd updater, and the SoftmaxRegression model.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { accuracy } from "../src/nn/accuracy.ts";
import { crossEntropy, softmaxCrossEntropy } from "../src/nn/loss.ts";
import { sgd } from "../src/nn/sgd.ts";
import { logSoftmax, softmax, stableSoftmax } from "../src/nn/softmax.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { normal, tensor } from "../src/tensor/create.ts";
import { Rng } from "../src/tensor/random.ts";
import { allClose, TOL } from "./helpers/allclose.ts";

describe("softmax", () => {
  test("the chapter's example: rows are positive and sum to 1", () => {
    const X = normal(0, 1, [2, 5], { rng: new Rng(3) });
    for (const f of [softmax, stableSoftmax]) {
      const P = f(X);
      assert.ok(P.data.every((p) => p > 0));
      allClose(P.sum(1), [1, 1], TOL.float32);
    }
    allClose(softmax(X), stableSoftmax(X), TOL.float32, "naive and stable agree on moderate logits");
  });

  test("overflow: stable softmax of [100, 100] is [0.5, 0.5]; the naive one gives NaN (∞/∞)", () => {
    const X = tensor([[100, 100]]);
    allClose(stableSoftmax(X), [[0.5, 0.5]], TOL.exact);
    assert.ok(softmax(X).data.every(Number.isNaN));
  });

  test("huge difference: stable softmax of [-1000, 1000] is [0, 1]; logSoftmax is [-2000, 0]", () => {
    const X = tensor([[-1000, 1000]]);
    allClose(stableSoftmax(X), [[0, 1]], TOL.exact);
    allClose(logSoftmax(X), [[-2000, 0]], TOL.float32);
  });

  test("underflow: [-1000, -1000] is [0.5, 0.5] when stable; the naive one gives NaN (0/0)", () => {
    const X = tensor([[-1000, -1000]]);
    allClose(stableSoftmax(X), [[0.5, 0.5]], TOL.exact);
    allClose(logSoftmax(X), [[-Math.LN2, -Math.LN2]], TOL.float32);
    assert.ok(softmax(X).data.every(Number.isNaN));
  });

  test("NaN propagates through every softmax", () => {
    const X = tensor([[Number.NaN, 1], [0, 0]]);
    for (const f of [softmax, stableSoftmax, logSoftmax]) {
      const out = f(X);
      assert.ok(Number.isNaN(out.data[0]!) && Number.isNaN(out.data[1]!), f.name);
      allClose(out.data.subarray(2), f === logSoftmax ? [-Math.LN2, -Math.LN2] : [0.5, 0.5], TOL.float32, f.name);
    }
  });

  test("1-D input works over its only axis", () => {
    allClose(stableSoftmax(tensor([0, Math.log(3)])), [0.25, 0.75], TOL.float32);
  });
});

describe("losses", () => {
  test("crossEntropy is the chapter's −log ŷ[i, y_i] (its worked example)", () => {
    const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
    allClose(crossEntropy(yHat, [0, 2]), [-Math.log(0.1), -Math.log(0.5)], TOL.float32);
  });

  test("the fused softmaxCrossEntropy equals −logSoftmax(z).pick(y): values and gradients", () => {
    const rng = new Rng(8);
    const y = Int32Array.from({ length: 7 }, () => rng.int(10));
    const z1 = normal(0, 3, [7, 10], { rng, requiresGrad: true });
    const z2 = tensor(z1.data, z1.shape, { requiresGrad: true });
    const fused = softmaxCrossEntropy(z1, y);
    const composite = logSoftmax(z2).pick(y).neg();
    allClose(fused, composite, TOL.reordered);
    fused.sum().backward();
    composite.sum().backward();
    allClose(z1.grad!, z2.grad!, TOL.reordered);
  });

  test("stable from logits where the chapter's loss overflows to ∞", () => {
    const z = tensor([[-1000, 1000]]);
    allClose(softmaxCrossEntropy(z, [0]), [2000], TOL.float32);
    allClose(crossEntropy(stableSoftmax(z), [0]), [Infinity], TOL.exact);
  });
});

describe("accuracy", () => {
  test("counts correct argmax predictions (d2l's example gives 1 of 2)", () => {
    const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
    assert.equal(accuracy(yHat, Int32Array.of(0, 2)), 1);
    assert.equal(accuracy(yHat, [2, 2]), 2);
  });

  test("a single column or a vector holds the predicted classes themselves", () => {
    assert.equal(accuracy(tensor([2, 1, 0]), [2, 1, 1]), 2);
    assert.throws(() => accuracy(tensor([[1, 0]]), [0, 1]), /1 predictions but 2 labels/);
  });
});

describe("sgd", () => {
  test("steps by −lr·grad/batchSize, then clears the gradient", () => {
    const W = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([0], undefined, { requiresGrad: true });
    W.mul(tensor([4, 8])).sum().backward();
    const updater = sgd([W, b], 0.5);
    updater(4);
    allClose(W, [1 - 0.5 * 4 / 4, 2 - 0.5 * 8 / 4], TOL.exact);
    assert.equal(W.grad, null);
    allClose(b, [0], TOL.exact, "a parameter without a gradient is left alone");
    assert.throws(() => sgd([W], Number.NaN), /lr must be a finite number/);
  });
});

describe("SoftmaxRegression", () => {
  test("W ~ Normal(0, 0.01) [inputs, classes], b = 0, any input size and class count", () => {
    const model = new SoftmaxRegression({ numInputs: 5, numOutputs: 3, rng: new Rng(1) });
    assert.deepEqual(model.W.shape, [5, 3]);
    assert.deepEqual(model.b.shape, [3]);
    assert.ok(model.W.data.every((w) => Math.abs(w) < 0.06));
    assert.deepEqual([...model.b.data], [0, 0, 0]);
    assert.deepEqual(model.params(), [model.W, model.b]);
    const X = normal(0, 1, [4, 5], { rng: new Rng(2) });
    assert.deepEqual(model.forward(X).shape, [4, 3]);
    allClose(model.probabilities(X).sum(1), [1, 1, 1, 1], TOL.float32);
  });

  test("naive numerics: forward gives probabilities and loss is crossEntropy; stable: logits and the fused loss", () => {
    const rng = new Rng(4);
    const naive = new SoftmaxRegression({ numInputs: 6, numOutputs: 4, numerics: "naive", rng });
    const stable = SoftmaxRegression.fromParams(naive.W, naive.b);
    assert.equal(stable.numerics, "stable");
    assert.notEqual(stable.W.data, naive.W.data, "fromParams copies");
    const X = normal(0, 1, [3, 6], { rng });
    const y = Int32Array.of(0, 3, 1);
    allClose(naive.forward(X), stable.probabilities(X), TOL.float32);
    allClose(naive.loss(naive.forward(X), y), stable.loss(stable.forward(X), y), TOL.reordered);
  });

  test("fromParams checks the shapes", () => {
    assert.throws(() => SoftmaxRegression.fromParams(tensor([[1, 2]]), tensor([1, 2, 3])), /expected W \[inputs, classes\] and b \[classes\]/);
  });
});
