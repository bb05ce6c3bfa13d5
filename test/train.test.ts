// Training functions on small in-memory data: Accumulator, evaluateAccuracy, trainEpoch, train,
// predict, the non-finite-loss stop, and the fused path matching the autograd path bit for bit.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sgd } from "../src/nn/sgd.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Rng } from "../src/tensor/random.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import { Accumulator } from "../src/train/accumulator.ts";
import { evaluateAccuracy } from "../src/train/evaluate.ts";
import { fusedEvaluateAccuracy, fusedTrainEpoch, type ByteExamples } from "../src/train/fused.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { predict } from "../src/train/predict.ts";
import { train } from "../src/train/train.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";
import type { BatchMetrics } from "../src/train/types.ts";
import { allClose, TOL } from "./helpers/allclose.ts";
import { byteExamples } from "./helpers/byte-examples.ts";

/** Batches of `data` in the order `rows`, as float tensors of pixel / 255 (the data layer's contract). */
function batches(data: ByteExamples, inputs: number, order: Uint32Array, batchSize: number): [Tensor, Int32Array][] {
  const out: [Tensor, Int32Array][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const rows = order.subarray(start, Math.min(start + batchSize, order.length));
    const X = new Float32Array(rows.length * inputs);
    rows.forEach((r, i) => { for (let j = 0; j < inputs; j++) X[i * inputs + j] = Math.fround(data.images[r * inputs + j]! / 255); });
    out.push([new Tensor(X, [rows.length, inputs]), Int32Array.from(rows, (r) => data.labels[r]!)]);
  }
  return out;
}

const identityOrder = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

describe("Accumulator", () => {
  test("sums each slot across add calls, resets, and names a missing slot", () => {
    const metric = new Accumulator(3);
    metric.add(1.5, 2, 10);
    metric.add(0.5, 1, 6);
    assert.deepEqual([metric.get(0), metric.get(1), metric.get(2)], [2, 3, 16]);
    metric.reset();
    assert.equal(metric.get(2), 0);
    assert.throws(() => metric.add(1), /expected 3 values, got 1/);
    assert.throws(() => metric.get(3), /slot 3 does not exist/);
  });
});

describe("training loop", () => {
  const inputs = 12, classes = 3;
  const data = byteExamples(50, inputs, classes, 1);
  const trainBatches = batches(data, inputs, identityOrder(50), 16); // 16, 16, 16, 2
  const testBatches = batches(byteExamples(30, inputs, classes, 2), inputs, identityOrder(30), 16);

  test("evaluateAccuracy: the fraction of correct predictions, without recording a graph", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(3) });
    let outputs = 0;
    const acc = evaluateAccuracy((X) => {
      const yHat = model.net(X);
      assert.equal(yHat.requiresGrad, false);
      outputs++;
      return yHat;
    }, testBatches);
    assert.equal(outputs, 2);
    let correct = 0;
    for (const [X, y] of testBatches) model.net(X).argmax(1).forEach((p, i) => { if (p === y[i]) correct++; });
    assert.equal(acc, correct / 30);
  });

  test("trainEpoch: one update per batch with its size, metrics from 1, [mean loss, accuracy] over all examples", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, numerics: "naive", rng: new Rng(3) });
    const before = model.W.data.slice();
    const step = sgd(model.params(), 0.5);
    const sizes: number[] = [];
    const seen: BatchMetrics[] = [];
    const [loss, acc] = trainEpoch(model.net, trainBatches, model.loss, (n) => { sizes.push(n); step(n); }, {
      epoch: 4,
      onBatchEnd: (m) => seen.push(m),
    });
    assert.deepEqual(sizes, [16, 16, 16, 2]);
    assert.deepEqual(seen.map((m) => [m.epoch, m.batch, m.size]), [[4, 1, 16], [4, 2, 16], [4, 3, 16], [4, 4, 2]]);
    allClose([loss], [seen.reduce((s, m) => s + m.loss * m.size, 0) / 50], TOL.float32);
    allClose([acc], [seen.reduce((s, m) => s + m.accuracy * m.size, 0) / 50], TOL.float32);
    assert.notDeepEqual(model.W.data, before);
    assert.equal(model.W.grad, null, "the updater cleared the gradient");
  });

  test("train: learns the bands, reports every epoch through onEpochEnd and returns the same history", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(5) });
    const reported: unknown[] = [];
    const history = train(model.net, trainBatches, testBatches, model.loss, 5, sgd(model.params(), 1), {
      onEpochEnd: (m) => reported.push(m),
    });
    assert.deepEqual(reported, history);
    assert.deepEqual(history.map((m) => m.epoch), [1, 2, 3, 4, 5]);
    assert.ok(history[4]!.trainLoss < history[0]!.trainLoss);
    assert.ok(history[4]!.testAcc > 0.9, `test accuracy ${history[4]!.testAcc}`);
    assert.deepEqual(train(model.net, trainBatches, testBatches, model.loss, 0, sgd(model.params(), 1)), []);
  });

  test("a non-finite loss stops training with NonFiniteLossError naming epoch and batch (from 1)", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, numerics: "naive", rng: new Rng(5) });
    // The second epoch's third batch is poisoned: its pixels are huge, so the naive softmax overflows (∞/∞).
    let epoch = 0;
    const poisoned = {
      *[Symbol.iterator]() {
        epoch++;
        for (const [i, [X, y]] of trainBatches.entries()) {
          yield (epoch === 2 && i === 2 ? [new Tensor(X.data.map(() => 1e6), X.shape), y] : [X, y]) as [Tensor, Int32Array];
        }
      },
    };
    const W = model.W.data;
    let stopped: unknown;
    try {
      train(model.net, poisoned, testBatches, model.loss, 3, sgd(model.params(), 0.1));
    } catch (error) {
      stopped = error;
    }
    assert.ok(stopped instanceof NonFiniteLossError);
    assert.equal(stopped.epoch, 2);
    assert.equal(stopped.batch, 3);
    assert.match(stopped.message, /loss is NaN at epoch 2, batch 3 \(both counted from 1\)/);
    assert.ok(W.every(Number.isFinite), "no update was applied with the non-finite loss");
    // A loop that trains the epoch in parts names the batch of the epoch: 40 batches came before this part.
    const shifted = stopped.shifted(40);
    assert.ok(shifted instanceof NonFiniteLossError);
    assert.deepEqual([shifted.epoch, shifted.batch, shifted.loss], [2, 43, stopped.loss]);
    assert.match(shifted.message, /loss is NaN at epoch 2, batch 43 \(both counted from 1\)/);
  });

  test("predict: true and predicted labels of the first n examples, named by the labels function", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(5) });
    train(model.net, trainBatches, testBatches, model.loss, 3, sgd(model.params(), 1));
    const names = (k: ArrayLike<number>): string[] => Array.from(k, (c) => `band ${c}`);
    const p = predict(model.net, testBatches, 4, { labels: names });
    assert.deepEqual(p.X.shape, [4, inputs]);
    assert.deepEqual([...p.trues], [...testBatches[0]![1].subarray(0, 4)]);
    assert.deepEqual([...p.preds], [...model.net(p.X).argmax(1)]);
    assert.equal(p.titles[0], `${p.trueNames[0]}\n${p.predNames[0]}`);
    assert.deepEqual(predict(model.net, testBatches, 2).trueNames.length, 2, "Fashion-MNIST names by default");
  });
});

describe("fused path", () => {
  test("fusedTrainEpoch and fusedEvaluateAccuracy equal the autograd path (stable loss) bit for bit", () => {
    const inputs = 21, classes = 5, n = 70, batchSize = 16;
    const data = byteExamples(n, inputs, classes, 9);
    const order = new Rng(4).shuffle(identityOrder(n));
    const autograd = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(6) });
    const fused = SoftmaxRegression.fromParams(autograd.W, autograd.b);

    const [lossA, accA] = trainEpoch(autograd.net, batches(data, inputs, order, batchSize), autograd.loss, sgd(autograd.params(), 0.3));
    const rows = Array.from({ length: Math.ceil(n / batchSize) }, (_, i) => order.subarray(i * batchSize, (i + 1) * batchSize));
    const [lossF, accF] = fusedTrainEpoch(fused, data, rows, { lr: 0.3, batchSize });

    allClose(fused.W, autograd.W, TOL.exact);
    allClose(fused.b, autograd.b, TOL.exact);
    allClose([lossF, accF], [lossA, accA], TOL.float32);
    assert.equal(fusedEvaluateAccuracy(fused, data, 32), evaluateAccuracy(autograd.net, batches(data, inputs, identityOrder(n), 32)));
  });

  test("fusedTrainEpoch checks sizes and indices, and stops on a non-finite loss", () => {
    const data = byteExamples(10, 6, 2, 1);
    const model = new SoftmaxRegression({ numInputs: 6, numOutputs: 2 });
    assert.throws(() => fusedTrainEpoch(model, data, [Uint32Array.of(0, 11)], { lr: 0.1, batchSize: 4 }), /example index 11 is outside \[0, 10\)/);
    assert.throws(() => fusedTrainEpoch(model, data, [identityOrder(5)], { lr: 0.1, batchSize: 4 }), /batch 1 has 5 examples/);
    assert.throws(() => fusedTrainEpoch(new SoftmaxRegression({ numInputs: 5, numOutputs: 2 }), data, [], { lr: 0.1, batchSize: 4 }), /examples of 5 values/);
    model.W.data[0] = Number.NaN;
    assert.throws(() => fusedTrainEpoch(model, data, [identityOrder(4)], { lr: 0.1, batchSize: 4, epoch: 3 }), /epoch 3, batch 1/);
  });
});
