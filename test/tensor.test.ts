// The Tensor surface: creation, seeded normal draws, reshape, pick, argmax, toArray/item, messages.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normal, ones, tensor, zeros } from "../src/tensor/create.ts";
import { manualSeed, Rng } from "../src/tensor/random.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import { allClose, TOL } from "./helpers/allclose.ts";

describe("tensor creation", () => {
  test("tensor(nested arrays) infers the shape and copies the values", () => {
    const values = [[1, 2, 3], [4, 5, 6]];
    const t = tensor(values);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.size, 6);
    assert.equal(t.ndim, 2);
    values[0]![0] = 100;
    assert.equal(t.data[0], 1);
  });

  test("tensor(typed array, shape) copies; tensor(number) is a scalar", () => {
    const source = Float32Array.of(1, 2, 3, 4, 5, 6);
    const t = tensor(source, [3, 2]);
    assert.deepEqual(t.shape, [3, 2]);
    assert.notEqual(t.data, source);
    const s = tensor(2.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 2.5);
  });

  test("ragged nested arrays and wrong sizes are refused with the expected shape", () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array \(expected 2 entries at depth 1/);
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /shape \[2, 2\] needs 4 values, got 3/);
    assert.throws(() => new Tensor(new Float32Array(3), [2, 2]), /needs 4 values, got 3/);
    assert.throws(() => new Tensor(new Float32Array(2), [-1, -2]), /sizes must be non-negative integers/);
  });

  test("zeros and ones, with requiresGrad", () => {
    const z = zeros([2, 2], { requiresGrad: true });
    assert.deepEqual([...z.data], [0, 0, 0, 0]);
    assert.equal(z.requiresGrad, true);
    assert.deepEqual([...ones([3]).data], [1, 1, 1]);
    assert.throws(() => zeros([2, -1]), /non-negative integers/);
  });

  test("normal(mean, std, shape): seeded, reproducible, with the requested moments", () => {
    const a = normal(0, 0.01, [784, 10], { rng: new Rng(5), requiresGrad: true });
    const b = normal(0, 0.01, [784, 10], { rng: new Rng(5) });
    assert.deepEqual(a.data, b.data, "same seed, same values");
    assert.equal(a.requiresGrad, true);
    const mean = a.data.reduce((s, v) => s + v, 0) / a.size;
    const std = Math.sqrt(a.data.reduce((s, v) => s + (v - mean) ** 2, 0) / a.size);
    assert.ok(Math.abs(mean) < 0.001, `mean ${mean}`);
    assert.ok(Math.abs(std - 0.01) < 0.0005, `std ${std}`);
  });

  test("normal draws from defaultRng, which manualSeed resets", () => {
    manualSeed(11);
    const a = normal(1, 2, [5]);
    manualSeed(11);
    const b = normal(1, 2, [5]);
    assert.deepEqual(a.data, b.data);
    assert.notDeepEqual(normal(1, 2, [5]).data, a.data);
  });
});

describe("tensor views and readouts", () => {
  test("reshape with -1 infers the size and shares the data", () => {
    const x = tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const y = x.reshape([-1, 2]);
    assert.deepEqual(y.shape, [4, 2]);
    assert.equal(y.data, x.data);
    assert.throws(() => x.reshape([3, -1]), /cannot view \[2, 4\] \(8 elements\) as \[3, -1\]/);
    assert.throws(() => x.reshape([-1, -1]), /only one dimension can be -1/);
  });

  test("pick(y) takes one entry per row; argmax(axis) returns class indices", () => {
    const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
    allClose(yHat.pick([0, 2]), [0.1, 0.5], TOL.float32);
    assert.deepEqual([...yHat.argmax(1)], [2, 2]);
    assert.deepEqual([...yHat.argmax(0)], [1, 0, 0]);
    assert.deepEqual([...tensor([[3, 3, 1]]).argmax()], [0], "ties go to the first");
  });

  test("toArray follows the shape; item needs exactly one element", () => {
    assert.deepEqual(tensor([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
    assert.equal(tensor(7).toArray(), 7);
    assert.equal(tensor([[7]]).item(), 7);
    assert.throws(() => tensor([1, 2]).item(), /one element, got shape \[2\]/);
  });

  test("mean, detach and toString", () => {
    const x = tensor([[1, 2], [3, 6]], undefined, { requiresGrad: true });
    allClose(x.mean(), 3, TOL.exact);
    allClose(x.mean(1), [1.5, 4.5], TOL.exact);
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.data, x.data);
    assert.equal(String(tensor([[0.25, 0.75]])), "tensor([[0.25, 0.75]], shape=[1, 2])");
  });
});
