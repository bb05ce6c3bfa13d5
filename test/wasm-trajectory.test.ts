// The resident WebAssembly trainer against the reference fused path on the real Fashion-MNIST: two epochs
// of the chapter's recipe (batch 256, lr 0.1) give the same trajectory within float32 rounding, and the
// same numbers, bit for bit, on 1 and 2 threads.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DataIter } from "../src/data/iterator.ts";
import { loadDataset } from "../src/data/load.ts";
import type { DataSplit } from "../src/data/split.ts";
import { nodeThreads } from "../src/kernels/wasm/nodeThreads.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Rng } from "../src/tensor/random.ts";
import { fusedEvaluateAccuracy, fusedTrainEpoch } from "../src/train/fused.ts";
import { WasmTrainer } from "../src/train/wasmTrainer.ts";
import { allClose, TOL } from "./helpers/allclose.ts";

const batchSize = 256, lr = 0.1, epochs = 2;
let cacheRoot: string;
let train: DataSplit;
let testSplit: DataSplit;

before(async () => {
  cacheRoot = await mkdtemp(join(tmpdir(), "softmax-wasm-trajectory-"));
  ({ train, test: testSplit } = await loadDataset({ cacheRoot, env: {}, offline: true }));
});
after(() => rm(cacheRoot, { recursive: true, force: true }));

interface Run {
  metrics: { trainLoss: number; trainAcc: number; testAcc: number }[];
  W: Float32Array;
  b: Float32Array;
}

const newModel = (): SoftmaxRegression => new SoftmaxRegression({ numInputs: 784, numOutputs: 10, rng: new Rng(0) });

function runReference(): Run {
  const model = newModel();
  const order = new DataIter(train, { batchSize, shuffle: true, seed: 0 });
  const metrics = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const [trainLoss, trainAcc] = fusedTrainEpoch(model, train, order.indexBatches(), { lr, batchSize, epoch });
    metrics.push({ trainLoss, trainAcc, testAcc: fusedEvaluateAccuracy(model, testSplit, batchSize) });
  }
  return { metrics, W: model.W.data, b: model.b.data };
}

async function runWasm(threads: number, fused = true): Promise<Run> {
  const model = newModel();
  const order = new DataIter(train, { batchSize, shuffle: true, seed: 0 });
  const trainer = await WasmTrainer.create(model, { train, test: testSplit }, { lr, batchSize, threads, host: nodeThreads, fused });
  try {
    assert.equal(trainer.threads, threads, trainer.threadsReason);
    // nodeThreads turns relaxed SIMD on where Node has it behind a flag (20), so the fused build must run.
    assert.equal(trainer.variant, fused ? "relaxed" : "threads");
    const metrics = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const [trainLoss, trainAcc] = trainer.trainEpoch(order.indexBatches(), { epoch });
      metrics.push({ trainLoss, trainAcc, testAcc: trainer.evaluateAccuracy() });
    }
    return { metrics, W: model.W.data, b: model.b.data };
  } finally {
    await trainer.close();
  }
}

/**
 * How far the SIMD trajectory may drift from the reference's. Each step differs by float32 roundings: the
 * reference sums products in float64, the SIMD kernels in float32 over 4 lanes and 4 shards, and the pixel
 * scale 1/255 multiplies the sums instead of each pixel. A step moves W by ~1 ulp; SGD on this convex loss
 * does not amplify it (2 epochs end ~3 ulps of |W| ≤ 0.3 apart, 1e-7), so 1e-6 leaves 10× room while a
 * wrong gradient (off by a term, a scale, a batch) moves W by 1e-3 or more. The fused multiply-adds of the
 * relaxed build round once where the plain build rounds twice: another float32 rounding per product, no more. Accuracies may differ only by
 * examples sitting on a decision boundary: at most 5 of 60 000 (train) and 2 of 10 000 (test).
 */
const TRAJECTORY = { rtol: 1e-6, atol: 1e-6 };

function assertNearReference(run: Run, reference: Run, what: string): void {
  allClose(run.W, reference.W, TRAJECTORY, `${what}: W after 2 epochs`);
  allClose(run.b, reference.b, TRAJECTORY, `${what}: b after 2 epochs`);
  allClose(run.metrics.map((m) => m.trainLoss), reference.metrics.map((m) => m.trainLoss), TRAJECTORY, `${what}: train loss per epoch`);
  allClose(run.metrics.map((m) => m.trainAcc), reference.metrics.map((m) => m.trainAcc), { rtol: 0, atol: 5 / train.n }, `${what}: train accuracy per epoch`);
  allClose(run.metrics.map((m) => m.testAcc), reference.metrics.map((m) => m.testAcc), { rtol: 0, atol: 2 / testSplit.n }, `${what}: test accuracy per epoch`);
}

test("wasm matches the reference fused path within float32 rounding for 2 epochs, with and without fused multiply-add; 1 and 2 threads agree bit for bit", async () => {
  const reference = runReference();
  const one = await runWasm(1);
  const two = await runWasm(2);
  const plain = await runWasm(1, false);
  assertNearReference(one, reference, "fused multiply-add");
  assertNearReference(plain, reference, "multiply, then add");
  // The chapter's numbers, so the comparison is not between two equally wrong runs.
  assert.ok(reference.metrics[1]!.trainLoss < 0.6 && reference.metrics[1]!.testAcc > 0.78, JSON.stringify(reference.metrics));
  assert.deepEqual(two.metrics, one.metrics);
  allClose(two.W, one.W, TOL.exact, "W, 2 threads vs 1");
  allClose(two.b, one.b, TOL.exact, "b, 2 threads vs 1");
});
