// End to end on the real Fashion-MNIST: the chapter's recipe for 10 epochs (with a flat heap), the same
// seed giving identical numbers, the non-finite stop, and the fused path equal to autograd on real batches.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { DataIter } from "../src/data/iterator.ts";
import { loadDataFashionMnist } from "../src/data/load.ts";
import type { DataSplit } from "../src/data/split.ts";
import { setKernels } from "../src/kernels/current.ts";
import { selectKernels } from "../src/kernels/select.ts";
import { nodeThreads } from "../src/kernels/wasm/nodeThreads.ts";
import { crossEntropy } from "../src/nn/loss.ts";
import { sgd } from "../src/nn/sgd.ts";
import { softmax } from "../src/nn/softmax.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { normal, zeros } from "../src/tensor/create.ts";
import { Rng } from "../src/tensor/random.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { evaluateAccuracy } from "../src/train/evaluate.ts";
import { fusedEvaluateAccuracy, fusedTrainEpoch } from "../src/train/fused.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { StepCapture } from "../src/train/stepCapture.ts";
import { train } from "../src/train/train.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";
import type { EpochMetrics } from "../src/train/types.ts";
import { allClose, TOL } from "./helpers/allclose.ts";

const batchSize = 256;
let trainSplit: DataSplit;
let testSplit: DataSplit;

before(async () => {
  const { trainIter, testIter } = await loadDataFashionMnist(batchSize);
  trainSplit = trainIter.split;
  testSplit = testIter.split;
});

const trainIterFor = (seed: number): DataIter => new DataIter(trainSplit, { batchSize, shuffle: true, seed });
const testIterFor = (): DataIter => new DataIter(testSplit, { batchSize });

/** The chapter's model and updater: W ~ Normal(0, 0.01) [784, 10], b = 0, naive softmax, lr. */
function chapterModel(seed: number, lr: number) {
  const W = normal(0, 0.01, [784, 10], { requiresGrad: true, rng: new Rng(seed) });
  const b = zeros([10], { requiresGrad: true });
  const net = (X: Tensor): Tensor => softmax(X.reshape([-1, W.shape[0]!]).matmul(W).add(b));
  return { net, updater: sgd([W, b], lr) };
}

describe("the chapter on the real Fashion-MNIST", () => {
  test("10 epochs of the chapter's recipe: train loss < 0.5, test accuracy >= 0.81, and the heap does not grow", () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    assert.equal(typeof gc, "function", "run the tests with node --expose-gc (npm test does), so the heap can be measured settled");
    const { net, updater } = chapterModel(0, 0.1);
    const heap: number[] = [];
    const buffers: number[] = [];
    const history = train(net, trainIterFor(0), testIterFor(), crossEntropy, 10, updater, {
      onEpochEnd: () => {
        // Freed ArrayBuffers are swept lazily after a collection: a few full collections settle both counters.
        for (let i = 0; i < 3; i++) gc!();
        const usage = process.memoryUsage();
        heap.push(usage.heapUsed);
        buffers.push(usage.arrayBuffers);
      },
    });
    const last = history[9]!;
    assert.ok(last.trainLoss < 0.5, `train loss ${last.trainLoss}`);
    assert.ok(last.trainAcc > 0.7 && last.trainAcc <= 1, `train accuracy ${last.trainAcc}`);
    assert.ok(last.testAcc >= 0.81 && last.testAcc <= 1, `test accuracy ${last.testAcc} (the chapter reports about 0.83)`);
    // One leaked graph per step would hold ~30 tensors (heap) and ~40 KB of buffers: 235 steps an epoch
    // would add megabytes per epoch. From the end of epoch 2 on, the settled heap must stay flat.
    const MB = 1024 * 1024;
    const heapGrowth = Math.max(...heap.slice(2)) - heap[1]!;
    const bufferGrowth = Math.max(...buffers.slice(2)) - buffers[1]!;
    assert.ok(heapGrowth < 1 * MB, `heapUsed grew by ${(heapGrowth / MB).toFixed(2)} MB over epochs 3–10: ${heap.map((h) => (h / MB).toFixed(1)).join(", ")} MB`);
    assert.ok(bufferGrowth < 1 * MB, `arrayBuffers grew by ${(bufferGrowth / MB).toFixed(2)} MB over epochs 3–10`);
  });

  test("the same seed twice gives identical per-epoch numbers; another seed does not", () => {
    const run = (seed: number): EpochMetrics[] => {
      const { net, updater } = chapterModel(seed, 0.1);
      return train(net, trainIterFor(seed), testIterFor(), crossEntropy, 2, updater);
    };
    const first = run(1);
    assert.deepEqual(run(1), first);
    assert.notDeepEqual(run(2), first);
  });

  test("a non-finite loss (lr 1e9, naive softmax) stops with an error naming the epoch and batch", () => {
    const { net, updater } = chapterModel(0, 1e9);
    assert.throws(
      () => train(net, trainIterFor(0), testIterFor(), crossEntropy, 10, updater),
      (error: unknown) => {
        assert.ok(error instanceof NonFiniteLossError, String(error));
        assert.equal(error.epoch, 1);
        assert.ok(error.batch >= 2 && error.batch <= 235, `batch ${error.batch}`);
        assert.match(error.message, new RegExp(`at epoch 1, batch ${error.batch} \\(both counted from 1\\)`));
        return true;
      },
    );
  });

  for (const [set, threads] of [["ref", 1], ["wasm", 1], ["wasm", 2]] as const) {
    test(`a captured step replays the chapter's autograd epoch bit for bit on real batches (${set} kernels, ${threads} thread${threads > 1 ? "s" : ""})`, async () => {
      const selection = await selectKernels(set, { host: nodeThreads, threads });
      assert.equal(selection.threads, threads);
      const before = setKernels(selection.kernels);
      try {
        const runs = [false, true].map((captured) => {
          const model = new SoftmaxRegression({ numInputs: 784, numOutputs: 10, numerics: "naive", rng: new Rng(3) });
          const capture = captured ? new StepCapture() : false;
          const metrics = trainEpoch(model.net, trainIterFor(5), model.loss, sgd(model.params(), 0.1), { capture });
          return { model, capture, metrics };
        });
        const [eager, captured] = runs as [(typeof runs)[0], (typeof runs)[0]];
        allClose(captured.model.W, eager.model.W, TOL.exact);
        allClose(captured.model.b, eager.model.b, TOL.exact);
        assert.deepEqual(captured.metrics, eager.metrics);
        // 234 batches of 256 (two recorded) and one of 96 (recorded once); the WebAssembly kernels compile the step.
        const capture = captured.capture as StepCapture;
        assert.equal(capture.replayed, 232);
        assert.equal(capture.compiled, set === "wasm" ? 232 : 0);
        assert.equal(capture.compileReason, null);
      } finally {
        setKernels(before);
        await selection.close();
      }
    });
  }

  for (const set of ["ref", "wasm"] as const) {
    test(`the fused path gives the autograd path's weights bit for bit on a real epoch (${set} kernels)`, async () => {
      const before = setKernels((await selectKernels(set, { host: nodeThreads })).kernels);
      try {
        const autograd = new SoftmaxRegression({ numInputs: 784, numOutputs: 10, rng: new Rng(3) });
        const fused = SoftmaxRegression.fromParams(autograd.W, autograd.b);
        const [lossA, accA] = trainEpoch(autograd.net, trainIterFor(5), autograd.loss, sgd(autograd.params(), 0.1));
        const [lossF, accF] = fusedTrainEpoch(fused, trainSplit, trainIterFor(5).indexBatches(), { lr: 0.1, batchSize });
        allClose(fused.W, autograd.W, TOL.exact);
        allClose(fused.b, autograd.b, TOL.exact);
        allClose([lossF, accF], [lossA, accA], TOL.float32);
        assert.equal(fusedEvaluateAccuracy(fused, testSplit), evaluateAccuracy(autograd.net, testIterFor()));
      } finally {
        setKernels(before);
      }
    });
  }
});
