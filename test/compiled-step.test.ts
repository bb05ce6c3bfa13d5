// The WebAssembly kernels' compiled step (src/kernels/wasm/compiledStep.ts) on small gathered batches with odd
// sizes: the same weights, metrics and errors as the eager loop, bit for bit, on 1 and 3 threads; steps it
// cannot compile say why and replay their calls instead.

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { DataIter } from "../src/data/iterator.ts";
import type { DataSplit } from "../src/data/split.ts";
import { setKernels } from "../src/kernels/current.ts";
import { selectKernels } from "../src/kernels/select.ts";
import { nodeThreads } from "../src/kernels/wasm/nodeThreads.ts";
import { sgd } from "../src/nn/sgd.ts";
import { softmax } from "../src/nn/softmax.ts";
import { crossEntropy } from "../src/nn/loss.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { normal } from "../src/tensor/create.ts";
import { noGrad } from "../src/tensor/graph.ts";
import { Rng } from "../src/tensor/random.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { StepCapture } from "../src/train/stepCapture.ts";
import { evaluateAccuracy } from "../src/train/evaluate.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";
import type { BatchMetrics, Net } from "../src/train/types.ts";
import { byteExamples } from "./helpers/byte-examples.ts";

// 37 inputs (no whole vectors per row), 7 classes, 400 examples in batches of 150: two tiles of 64 rows and
// one of 22 per batch, and a last batch of 100 rows (two tiles).
const inputs = 37, classes = 7;
const examples = byteExamples(400, inputs, classes, 12);
const split: DataSplit = { images: examples.images, labels: examples.labels, n: examples.n, rows: 1, cols: inputs, numClasses: classes };

const selections = await Promise.all([1, 3].map((threads) => selectKernels("wasm", { host: nodeThreads, threads })));
after(() => Promise.all(selections.map((s) => s.close())));

type MakeNet = (model: SoftmaxRegression) => Net;

/** Trains `epochs` epochs eagerly and captured, on each selection; returns the models, metrics and captures. */
function run(threads: number, options: { epochs: number; numerics: "naive" | "stable"; net?: MakeNet; beforeEpoch?: (epoch: number, model: SoftmaxRegression) => void }) {
  const selection = selections.find((s) => s.threads === threads)!;
  const before = setKernels(selection.kernels);
  try {
    return [false, true].map((captured) => {
      const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, numerics: options.numerics, rng: new Rng(4) });
      const iter = new DataIter(split, { batchSize: 150, shuffle: true, seed: 9 });
      const capture = captured ? new StepCapture() : false;
      const metrics: BatchMetrics[] = [];
      const results: [number, number][] = [];
      let error: unknown = null;
      // One net and one updater for every epoch, as a StepCapture asks.
      const net = options.net?.(model) ?? model.net;
      const updater = sgd(model.params(), 0.5);
      try {
        for (let e = 1; e <= options.epochs; e++) {
          options.beforeEpoch?.(e, model);
          results.push(trainEpoch(net, iter, model.loss, updater, { epoch: e, capture, onBatchEnd: (m) => metrics.push(m) }));
        }
      } catch (e) {
        error = e;
      }
      return { model, metrics, results, error, capture: capture as StepCapture | false };
    });
  } finally {
    setKernels(before);
  }
}

describe("the compiled step (WebAssembly kernels)", () => {
  for (const threads of [1, 3]) {
    for (const numerics of ["naive", "stable"] as const) {
      test(`gives the eager epochs bit for bit: ${numerics} softmax, ${threads} thread${threads > 1 ? "s" : ""}, tiles of 64, 22 and 36 rows`, () => {
        const [eager, captured] = run(threads, { epochs: 4, numerics });
        assert.deepEqual(captured!.model.W.data, eager!.model.W.data);
        assert.deepEqual(captured!.model.b.data, eager!.model.b.data);
        assert.deepEqual(captured!.results, eager!.results);
        assert.deepEqual(captured!.metrics, eager!.metrics);
        const capture = captured!.capture as StepCapture;
        assert.equal(capture.compileReason, null);
        // Per epoch two batches of 150 (recorded in epoch 1) and one of 100 (recorded in epochs 1 and 2); the rest compiled.
        assert.equal(capture.compiled, 8);
        assert.equal(capture.replayed, 8);
      });
    }
  }

  test("the same bits on 1 and 3 threads", () => {
    const one = run(1, { epochs: 3, numerics: "naive" })[1]!;
    const three = run(3, { epochs: 3, numerics: "naive" })[1]!;
    assert.deepEqual(three.model.W.data, one.model.W.data);
    assert.deepEqual(three.metrics, one.metrics);
  });

  test("a non-finite loss stops a compiled step before its update, at the eager batch, with the eager weights", () => {
    // From epoch 3, when the step is compiled, a weight the forward pass turns into a NaN loss.
    const beforeEpoch = (epoch: number, model: SoftmaxRegression) => {
      if (epoch === 3) model.W.data[5] = Infinity;
    };
    const [eager, captured] = run(3, { epochs: 4, numerics: "naive", beforeEpoch });
    assert.ok(eager!.error instanceof NonFiniteLossError, "the eager run stops");
    assert.ok(captured!.error instanceof NonFiniteLossError);
    assert.equal(captured!.error.message, eager!.error.message);
    assert.match(captured!.error.message, /at epoch 3, batch 1 /);
    assert.equal((captured!.capture as StepCapture).compiled, 2, "the compiled step met it");
    assert.deepEqual(captured!.model.W.data, eager!.model.W.data);
    assert.deepEqual(captured!.model.b.data, eager!.model.b.data);
  });

  test("a step it cannot compile (a row-wise op reading a sum over the batch) says why and replays its calls, bit for bit", () => {
    // Logits centred on their batch mean: each row then depends on every row of the batch.
    const net: MakeNet = (model) => (X) => {
      const z = X.reshape([-1, inputs]).matmul(model.W).add(model.b);
      return softmax(z.sub(z.mean(0, { keepdim: true })));
    };
    const [eager, captured] = run(1, { epochs: 3, numerics: "naive", net });
    assert.deepEqual(captured!.model.W.data, eager!.model.W.data);
    assert.deepEqual(captured!.metrics, eager!.metrics);
    const capture = captured!.capture as StepCapture;
    assert.equal(capture.eagerReason, null);
    assert.equal(capture.compiled, 0);
    assert.equal(capture.replayed, 5);
    assert.match(capture.compileReason ?? "", /^a call working row by row reads a result over the whole batch$/);
  });

  test("an evaluation's forward pass compiles too, with the eager accuracy", () => {
    for (const selection of selections) {
      const before = setKernels(selection.kernels);
      try {
        const model = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, numerics: "naive", rng: new Rng(6) });
        const capture = new StepCapture();
        const iter = new DataIter(split, { batchSize: 64 });
        for (let e = 0; e < 3; e++) {
          assert.equal(evaluateAccuracy(model.net, iter, { capture }), evaluateAccuracy(model.net, iter), `evaluation ${e + 1}, ${selection.threads} threads`);
        }
        assert.equal(capture.compileReason, null);
        assert.ok(capture.compiled > 0);
        // A label outside the classes is a miss, as eagerly: no kernel reads the labels, so nothing refuses it.
        const batches = [...iter];
        batches[1]![1][3] = 99;
        assert.equal(evaluateAccuracy(model.net, batches, { capture }), evaluateAccuracy(model.net, batches));
        // The probabilities themselves, batch by batch: the compiled forward pass gives the eager ŷ bit for bit.
        const step = { forward: (X: Tensor) => ({ yHat: model.net(X), total: null }) };
        noGrad(() => {
          for (const [X, y] of iter) assert.deepEqual(capture.run(step, X, y, () => {}).yHat.data, model.net(X).data);
        });
      } finally {
        setKernels(before);
      }
    }
  });

  test("the chapter's own functions (crossEntropy, softmax) compile too", () => {
    const selection = selections[0]!;
    const before = setKernels(selection.kernels);
    try {
      const W = normal(0, 0.01, [inputs, classes], { requiresGrad: true, rng: new Rng(1) });
      const b = normal(0, 0.01, [classes], { requiresGrad: true, rng: new Rng(2) });
      const capture = new StepCapture();
      const iter = new DataIter(split, { batchSize: 150, shuffle: true, seed: 3 });
      for (let e = 0; e < 3; e++) trainEpoch((X) => softmax(X.reshape([-1, inputs]).matmul(W).add(b)), iter, crossEntropy, sgd([W, b], 0.1), { capture });
      assert.equal(capture.compileReason, null);
      assert.equal(capture.compiled, 5);
    } finally {
      setKernels(before);
    }
  });
});
