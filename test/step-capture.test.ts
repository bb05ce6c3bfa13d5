// StepCapture on small in-memory batches: replays equal the eager steps bit for bit, steps that cannot be
// replayed run eagerly and say why, and a replay checks the labels and stops on a non-finite loss as eager does.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setKernels } from "../src/kernels/current.ts";
import { ref } from "../src/kernels/ref.ts";
import { sgd } from "../src/nn/sgd.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Rng } from "../src/tensor/random.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { StepCapture } from "../src/train/stepCapture.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";
import type { Batches, BatchMetrics, Loss, Net } from "../src/train/types.ts";
import { byteExamples } from "./helpers/byte-examples.ts";

const inputs = 12, classes = 3;

/** Batches of 16, 16, 16 and 2 examples as float tensors (pixel / 255); a new order each call to `epoch`. */
function batchesFor(seed: number) {
  const data = byteExamples(50, inputs, classes, seed);
  const rng = new Rng(seed);
  return (): [Tensor, Int32Array][] => {
    const order = Array.from({ length: 50 }, (_, i) => i).sort(() => rng.uniform() - 0.5);
    const out: [Tensor, Int32Array][] = [];
    for (let start = 0; start < 50; start += 16) {
      const rows = order.slice(start, start + 16);
      const X = Float32Array.from({ length: rows.length * inputs }, (_, k) => Math.fround(data.images[rows[Math.floor(k / inputs)]! * inputs + (k % inputs)]! / 255));
      out.push([new Tensor(X, [rows.length, inputs]), Int32Array.from(rows, (r) => data.labels[r]!)]);
    }
    return out;
  };
}

/** Trains `epochs` epochs of the same batches twice, eagerly and with one StepCapture; returns both models and the capture. */
function eagerAndCaptured(options: { epochs: number; numerics?: "naive" | "stable"; net?: (model: SoftmaxRegression) => Net; loss?: Loss }) {
  const runs = [false, true].map((captured) => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, numerics: options.numerics ?? "naive", rng: new Rng(3) });
    const epoch = batchesFor(7);
    const capture = captured ? new StepCapture() : false;
    const metrics: BatchMetrics[] = [];
    const results: [number, number][] = [];
    for (let e = 1; e <= options.epochs; e++) {
      const net = options.net?.(model) ?? model.net;
      results.push(trainEpoch(net, epoch(), options.loss ?? model.loss, sgd(model.params(), 0.5), { epoch: e, capture, onBatchEnd: (m) => metrics.push(m) }));
    }
    return { model, capture, metrics, results };
  });
  return { eager: runs[0]!, captured: runs[1]!, capture: runs[1]!.capture as StepCapture };
}

describe("StepCapture", () => {
  for (const numerics of ["naive", "stable"] as const) {
    test(`replays give the eager epochs bit for bit (${numerics} softmax); each batch shape is recorded twice`, () => {
      const { eager, captured, capture } = eagerAndCaptured({ epochs: 3, numerics });
      assert.deepEqual(captured.model.W.data, eager.model.W.data);
      assert.deepEqual(captured.model.b.data, eager.model.b.data);
      assert.deepEqual(captured.results, eager.results);
      assert.deepEqual(captured.metrics, eager.metrics);
      // 12 steps: the 16-row shape recorded on batches 1 and 2, the 2-row shape on the last batch of epochs 1 and 2.
      assert.equal(capture.replayed, 12 - 4);
      assert.equal(capture.eagerReason, null);
      assert.equal(captured.model.W.grad, null, "the updater's clearing of the gradient holds after replays");
    });
  }

  test("a step that fills an array from the batch in JavaScript runs eagerly and says why", () => {
    // A one-hot made in JavaScript from the labels: the kernels only see its values, which a replay would repeat.
    const loss: Loss = (yHat, y) => {
      const onehot = new Float32Array(yHat.size);
      y.forEach((label, i) => (onehot[i * classes + label] = 1));
      return yHat.mul(new Tensor(onehot, yHat.shape)).sum(1).log().neg();
    };
    const { eager, captured, capture } = eagerAndCaptured({ epochs: 2, loss });
    assert.equal(capture.replayed, 0);
    assert.match(capture.eagerReason ?? "", /fills an array from the batch in JavaScript/);
    assert.deepEqual(captured.model.W.data, eager.model.W.data);
  });

  test("a step whose kernel calls change from batch to batch runs eagerly and says why", () => {
    // Every other call adds an op: the two recordings disagree, so nothing is replayed.
    let calls = 0;
    const net = (model: SoftmaxRegression): Net => (X) => (calls++ % 2 === 0 ? model.net(X) : model.net(X).mul(1));
    const { eager, captured, capture } = eagerAndCaptured({ epochs: 2, net });
    assert.equal(capture.replayed, 0);
    assert.match(capture.eagerReason ?? "", /kernel calls on one batch and \d+\+\d+ on the next/);
    assert.deepEqual(captured.model.W.data, eager.model.W.data);
  });

  test("a replay checks the labels and stops on a non-finite loss before updating, naming epoch and batch", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, numerics: "naive", rng: new Rng(5) });
    const batches = batchesFor(1)();
    const capture = new StepCapture();
    const epoch = (e: number, poison: (X: Tensor, y: Int32Array, i: number) => [Tensor, Int32Array]): Batches =>
      ({ *[Symbol.iterator]() { for (const [i, [X, y]] of batches.entries()) yield poison(X, y, i); } }) as Batches;
    const updater = sgd(model.params(), 0.1);
    trainEpoch(model.net, epoch(1, (X, y) => [X, y]), model.loss, updater, { capture });
    assert.equal(capture.replayed, 1);
    const badLabel = (X: Tensor, y: Int32Array, i: number): [Tensor, Int32Array] => [X, i === 1 ? y.map((v, j) => (j === 5 ? 7 : v)) : y];
    assert.throws(() => trainEpoch(model.net, epoch(2, badLabel), model.loss, updater, { capture }), /label 7 of example 5 is not a class index in \[0, 3\)/);
    const W = model.W.data.slice();
    // Huge pixels overflow the naive softmax (∞/∞) on the third batch, which is replayed.
    const huge = (X: Tensor, y: Int32Array, i: number): [Tensor, Int32Array] => [i === 2 ? new Tensor(X.data.map(() => 1e6), X.shape) : X, y];
    let stopped: unknown;
    try {
      trainEpoch(model.net, epoch(3, huge), model.loss, updater, { epoch: 3, capture });
    } catch (error) {
      stopped = error;
    }
    assert.ok(stopped instanceof NonFiniteLossError, String(stopped));
    assert.deepEqual([stopped.epoch, stopped.batch], [3, 3]);
    assert.ok(model.W.data.every(Number.isFinite), "no update was applied with the non-finite loss");
    assert.notDeepEqual(model.W.data, W, "the two batches before it were replayed and updated");
  });

  test("a StepCapture refuses to run on other kernels than the ones it was made with", () => {
    const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(5) });
    const capture = new StepCapture();
    const before = setKernels({ ...ref, name: "ref-copy" });
    try {
      assert.throws(() => trainEpoch(model.net, batchesFor(1)(), model.loss, sgd(model.params(), 0.1), { capture }), /the kernels changed since it was made/);
    } finally {
      setKernels(before);
    }
  });
});
