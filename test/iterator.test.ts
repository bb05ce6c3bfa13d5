// Batch iterators on the real Fashion-MNIST (d2l: load_data_fashion_mnist): batch counts and shapes,
// seeded shuffling, every example once per epoch, X = pixel / 255, test batches in order.

import assert from "node:assert/strict";
import { before, test } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataIter, gatherBatch } from "../src/data/iterator.ts";
import { loadDataFashionMnist } from "../src/data/load.ts";
import type { DataSplit } from "../src/data/split.ts";
import { getKernels, setKernels } from "../src/kernels/current.ts";
import { ref } from "../src/kernels/ref.ts";
import { selectKernels } from "../src/kernels/select.ts";
import { normal } from "../src/tensor/create.ts";
import { Rng } from "../src/tensor/random.ts";
import { Tensor } from "../src/tensor/tensor.ts";

let trainIter: DataIter;
let testIter: DataIter;
let train: DataSplit;

before(async () => {
  const cacheRoot = await mkdtemp(join(tmpdir(), "softmax-iter-"));
  try {
    ({ trainIter, testIter } = await loadDataFashionMnist(256, { cacheRoot, env: {}, offline: true }));
    train = trainIter.split;
  } finally {
    await rm(cacheRoot, { recursive: true, force: true });
  }
});

/** The order of one epoch of `iter`, read from the labels and indices it yields. */
function epochOrder(iter: DataIter): Uint32Array {
  const order: number[] = [];
  for (const indices of iter.indexBatches()) order.push(...indices);
  return Uint32Array.from(order);
}

test("iterator: 60,000 / 256 gives 235 batches, the last one of 96; shapes [B, 784] and [B]", () => {
  assert.equal(trainIter.numExamples, 60000);
  assert.equal(trainIter.batchSize, 256);
  assert.equal(trainIter.numBatches, 235);
  let batches = 0;
  let last: [number[], number] = [[], 0];
  for (const [X, y] of trainIter) {
    batches += 1;
    assert.ok(y instanceof Int32Array);
    assert.equal(X.shape[0], y.length);
    last = [[...X.shape], y.length];
    if (batches < 235) assert.deepEqual(X.shape, [256, 784]);
  }
  assert.equal(batches, 235);
  assert.deepEqual(last, [[96, 784], 96]);
  assert.equal(testIter.numBatches, 40); // 10,000 / 256 → 39 full + 1 of 16
});

test("iterator: every training example appears exactly once per epoch, with its own label", () => {
  const seen = new Uint8Array(60000);
  let position = 0;
  for (const [, y] of trainIter) {
    const order = trainIter.order; // the epoch being read
    for (let i = 0; i < y.length; i++) {
      const k = order[position + i]!;
      seen[k]! += 1;
      assert.equal(y[i], train.labels[k]);
    }
    position += y.length;
  }
  assert.equal(position, 60000);
  assert.ok(seen.every((c) => c === 1));
});

test("iterator: same seed ⇒ same order every epoch; different seed or next epoch ⇒ different order", () => {
  const a = new DataIter(train, { batchSize: 256, shuffle: true, seed: 7 });
  const b = new DataIter(train, { batchSize: 256, shuffle: true, seed: 7 });
  const c = new DataIter(train, { batchSize: 256, shuffle: true, seed: 8 });
  const a1 = epochOrder(a);
  const a2 = epochOrder(a);
  assert.deepEqual(epochOrder(b), a1);
  assert.deepEqual(epochOrder(b), a2);
  assert.notDeepEqual(epochOrder(c), a1);
  assert.notDeepEqual(a2, a1);
  assert.notDeepEqual(a1, Uint32Array.from({ length: 60000 }, (_, i) => i), "shuffled");
  assert.equal(a.epoch, 2);
  // loadDataFashionMnist's default seed is 0.
  assert.deepEqual(epochOrder(new DataIter(train, { batchSize: 256, shuffle: true, seed: 0 })), epochOrder(new DataIter(train, { batchSize: 256, shuffle: true })));
});

test("iterator: X equals pixel / 255 exactly, within [0, 1]", () => {
  const indices = Uint32Array.of(0, 59999, 12345);
  const [X, y] = gatherBatch(train, indices);
  assert.deepEqual(X.shape, [3, 784]);
  let max = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 784; j++) {
      const pixel = train.images[indices[i]! * 784 + j]!;
      assert.equal(X.data[i * 784 + j], Math.fround(pixel / 255));
      max = Math.max(max, X.data[i * 784 + j]!);
    }
    assert.equal(y[i], train.labels[indices[i]!]);
  }
  assert.equal(max, 1, "Fashion-MNIST has white pixels, which map to exactly 1");
  for (const [Xb] of testIter) assert.ok(Xb.data.every((v) => v >= 0 && v <= 1));
});

test("iterator: a batch's pixels are gathered when first read, or by kernels into their own memory; the values read are then the truth", async () => {
  const before = getKernels();
  try {
    for (const kernels of [ref, (await selectKernels("wasm")).kernels]) {
      setKernels(kernels);
      const W = normal(0, 0.01, [784, 10], { rng: new Rng(1) });
      const [X] = gatherBatch(train, Uint32Array.of(5, 59999, 7, 123));
      const X4 = X.reshape([4, 1, 28, 28]);
      assert.notEqual(X.storage.gatheredRows, null, "not gathered yet");
      // The product of the unread batch (wasm: gathered in its memory) equals that of its values.
      const lazy = X4.reshape([-1, 784]).matmul(W);
      // The reference loops read the floats; the wasm set gathers the batch in its own memory.
      assert.equal(X.storage.gatheredRows === null, kernels === ref, `${kernels.name}: whether the product read the floats`);
      const eager = new Tensor(Float32Array.from(X.data), [4, 784]).matmul(W);
      assert.equal(X.storage.gatheredRows, null, "read");
      assert.deepEqual(lazy.data, eager.data, kernels.name);
      assert.equal(X4.data, X.data, "a reshape shares the values");
      // Changed after reading, the values are what products use.
      X4.data[3 * 784 + 400] = 100;
      const changed = X.matmul(W).data;
      assert.notDeepEqual(changed, eager.data, `${kernels.name}: the change is seen`);
      assert.deepEqual(changed, new Tensor(Float32Array.from(X.data), [4, 784]).matmul(W).data);
    }
  } finally {
    setKernels(before);
  }
});

test("iterator: gatherBatch refuses an index outside the split, naming it", () => {
  assert.throws(() => gatherBatch(train, [0, 60000]), /gatherBatch: index 60000 at 1 is not an example of the split \(0 to 59999\)/);
  assert.throws(() => gatherBatch(train, [-1]), /index -1 at 0/);
  assert.throws(() => gatherBatch(train, [1.5]), /index 1\.5 at 0/);
});

test("iterator: test batches come in file order, the last one partial", () => {
  const labels: number[] = [];
  for (const [, y] of testIter) labels.push(...y);
  assert.deepEqual(labels, [...testIter.split.labels]);
  assert.equal(testIter.shuffle, false);
});

test("iterator: bad batch sizes are refused before loading", async () => {
  assert.throws(() => new DataIter(train, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  await assert.rejects(loadDataFashionMnist(2.5), /loadDataFashionMnist: batchSize must be a positive integer, got 2\.5/);
});
