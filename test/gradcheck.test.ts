// Finite-difference gradient checks (central differences on float64 references) for every primitive,
// with broadcasting shapes, and for the composites: softmax, logSoftmax, crossEntropy, the fused loss, net + loss.

import { describe, test } from "node:test";
import { crossEntropy, softmaxCrossEntropy } from "../src/nn/loss.ts";
import { logSoftmax, softmax, stableSoftmax } from "../src/nn/softmax.ts";
import { Rng } from "../src/tensor/random.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import {
  broadcast64,
  gradcheck,
  logSoftmax64,
  map64,
  matmul64,
  maxOf,
  pick64,
  randomTensor,
  reduce64,
  softmax64,
  sumOf,
  type F64,
} from "./helpers/gradcheck.ts";

const rng = new Rng(2024);
const labels = (n: number, classes: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(classes));

const broadcastPairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[2, 3], [3]],
  [[2, 3], [2, 1]],
  [[2, 1], [1, 3]],
  [[2, 3, 4], [3, 1]],
  [[3], []],
];

const binaryOps = {
  add: { f32: (a: Tensor, b: Tensor) => a.add(b), f64: (x: number, y: number) => x + y },
  sub: { f32: (a: Tensor, b: Tensor) => a.sub(b), f64: (x: number, y: number) => x - y },
  mul: { f32: (a: Tensor, b: Tensor) => a.mul(b), f64: (x: number, y: number) => x * y },
  div: { f32: (a: Tensor, b: Tensor) => a.div(b), f64: (x: number, y: number) => x / y },
};

describe("gradcheck: binary primitives with broadcasting", () => {
  for (const [name, op] of Object.entries(binaryOps)) {
    for (const [sa, sb] of broadcastPairs) {
      test(`${name} [${sa}] with [${sb}]`, () => {
        const a = randomTensor(sa, rng);
        // Divisors kept away from 0, where d(a/b)/db blows up.
        const b = name === "div" ? randomTensor(sb, rng, 0.5, 2) : randomTensor(sb, rng);
        gradcheck(op.f32, (x, y) => broadcast64(x!, y!, op.f64), [a, b]);
      });
    }
  }
});

describe("gradcheck: unary primitives", () => {
  test("neg", () => gradcheck((x) => x.neg(), (x) => map64(x!, (v) => -v), [randomTensor([3, 4], rng)]));
  test("exp", () => gradcheck((x) => x.exp(), (x) => map64(x!, Math.exp), [randomTensor([3, 4], rng, -2, 2)]));
  test("log", () => gradcheck((x) => x.log(), (x) => map64(x!, Math.log), [randomTensor([3, 4], rng, 0.5, 3)]));
});

describe("gradcheck: reductions", () => {
  const cases: [number[], number | null, boolean][] = [
    [[3, 4], null, false],
    [[3, 4], 0, false],
    [[3, 4], 1, true],
    [[3, 4], -1, false],
    [[2, 3, 4], 1, false],
    [[2, 3, 4], 1, true],
  ];
  for (const [shape, axis, keepdim] of cases) {
    const opts = { keepdim };
    test(`sum over ${axis ?? "everything"} of [${shape}]${keepdim ? " with keepdim" : ""}`, () =>
      gradcheck((x) => (axis === null ? x.sum(undefined, opts) : x.sum(axis, opts)), (x) => reduce64(x!, axis === null ? null : (axis + shape.length) % shape.length, keepdim, sumOf), [randomTensor(shape, rng)]));
    test(`max over ${axis ?? "everything"} of [${shape}]${keepdim ? " with keepdim" : ""}`, () =>
      gradcheck((x) => (axis === null ? x.max(undefined, opts) : x.max(axis, opts)), (x) => reduce64(x!, axis === null ? null : (axis + shape.length) % shape.length, keepdim, maxOf), [randomTensor(shape, rng)]));
  }
});

describe("gradcheck: matmul, pick, reshape, fused softmax cross-entropy", () => {
  for (const [m, k, n] of [[3, 5, 4], [1, 7, 1], [4, 1, 3], [5, 9, 10]] as const) {
    test(`matmul [${m},${k}]·[${k},${n}]`, () =>
      gradcheck((a, b) => a.matmul(b), (a, b) => matmul64(a!, b!), [randomTensor([m, k], rng), randomTensor([k, n], rng)]));
  }
  test("pick", () => {
    const y = labels(5, 4);
    gradcheck((x) => x.pick(y), (x) => pick64(x!, y), [randomTensor([5, 4], rng)]);
  });
  test("reshape", () => gradcheck((x) => x.reshape([3, 4]).mul(x.reshape([3, 4])), (x) => map64({ data: x!.data, shape: [3, 4] }, (v) => v * v), [randomTensor([2, 6], rng)]));
  test("softmaxCrossEntropy (fused)", () => {
    const y = labels(6, 5);
    gradcheck((z) => softmaxCrossEntropy(z, y), (z) => map64(pick64(logSoftmax64(z!), y), (v) => -v), [randomTensor([6, 5], rng, -3, 3)]);
  });
});

describe("gradcheck: composites (no backward code of their own)", () => {
  const z = (): Tensor => randomTensor([4, 5], rng, -3, 3);
  test("softmax (the chapter's)", () => gradcheck((x) => softmax(x), (x) => softmax64(x!), [z()]));
  test("stableSoftmax", () => gradcheck((x) => stableSoftmax(x), (x) => softmax64(x!), [z()]));
  test("logSoftmax", () => gradcheck((x) => logSoftmax(x), (x) => logSoftmax64(x!), [z()]));
  test("crossEntropy of softmax (the chapter's loss)", () => {
    const y = labels(4, 5);
    gradcheck((x) => crossEntropy(softmax(x), y), (x) => map64(pick64(softmax64(x!), y), (v) => -Math.log(v)), [z()]);
  });

  test("the chapter's net + loss: crossEntropy(softmax(X·W + b)), gradients for W, b and X", () => {
    const [n, d, q] = [6, 8, 3];
    const y = labels(n, q);
    const X = randomTensor([n, d], rng, 0, 1);
    const W = randomTensor([d, q], rng, -0.5, 0.5);
    const b = randomTensor([q], rng, -0.5, 0.5);
    const reference = (X64: F64, W64: F64, b64: F64): F64 =>
      map64(pick64(softmax64(broadcast64(matmul64(X64, W64), b64, (u, v) => u + v)), y), (v) => -Math.log(v));
    gradcheck(
      (X1, W1, b1) => crossEntropy(softmax(X1!.reshape([-1, d]).matmul(W1!).add(b1!)), y),
      (X64, W64, b64) => reference(X64!, W64!, b64!),
      [X, W, b],
    );
  });
});
