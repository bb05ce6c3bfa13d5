// The peer rows: TensorFlow.js 4 on its WebAssembly backend, (1) the chapter's recipe written in tf ops
// (matMul, the chapter's softmax and cross-entropy, tf.variableGrads, SGD) and (2) model.fit of one
// Dense(10, softmax) layer with sgd(0.1). Same data, batch 256, lr 0.1, W ~ Normal(0, 0.01), b = 0.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { DataIter } from "../src/data/iterator.ts";
import type { DataSplit } from "../src/data/split.ts";
import { BATCH_SIZE, LR, SEED, type RowContext, type RowRunner } from "./rows.ts";

/** Selects the wasm backend, its .wasm files read from node_modules; returns what it runs with. */
async function useWasmBackend(): Promise<string> {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
  if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js could not start its wasm backend");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return `tfjs ${tf.version.tfjs}, wasm backend (${simd ? "SIMD" : "no SIMD"}, ${threads ? "threads" : "one thread"})`;
}

/** A split as float32 [n, 784] in [0, 1] and its labels, the way tfjs programs hold data (uploaded once). */
function tensors(split: DataSplit): { X: tf.Tensor2D; y: tf.Tensor1D; labels: Int32Array } {
  const d = split.rows * split.cols;
  const x = new Float32Array(split.n * d);
  for (let i = 0; i < x.length; i++) x[i] = split.images[i]! / 255;
  const labels = Int32Array.from(split.labels);
  return { X: tf.tensor2d(x, [split.n, d]), y: tf.tensor1d(labels, "int32"), labels };
}

function timed(epochs: number, epoch: () => { trainLoss: number; testAcc: number }) {
  const epochMs: number[] = [];
  let last = { trainLoss: Number.NaN, testAcc: Number.NaN };
  for (let e = 0; e < epochs; e++) {
    const start = performance.now();
    last = epoch();
    epochMs.push(performance.now() - start);
  }
  return { epochMs, ...last };
}

/**
 * The chapter's recipe in tf ops. Batches come from this project's DataIter (the same float batches the
 * autograd row trains on) and are uploaded per batch: in tfjs 4.22's wasm backend, tf.gather or tf.slice of
 * the whole uploaded training set costs 10–200 ms per batch, far more than the step itself.
 */
const recipe: RowRunner = async ({ train, test, epochs }: RowContext) => {
  const backend = await useWasmBackend();
  const testData = tensors(test);
  const W = tf.variable(tf.randomNormal([784, 10], 0, 0.01, "float32", SEED), true, "W");
  const b = tf.variable(tf.zeros([10]), true, "b");
  // d2l: softmax(X) = exp(X) / exp(X).sum(1, keepdim=True); cross_entropy = −log ŷ[range(n), y]
  const net = (X: tf.Tensor2D): tf.Tensor2D => tf.tidy(() => {
    const e = tf.exp(tf.add(tf.matMul(X, W), b));
    return tf.div(e, tf.sum(e, 1, true));
  });
  const crossEntropy = (yHat: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D => tf.neg(tf.log(tf.sum(tf.mul(yHat, tf.oneHot(y, 10)), 1)));
  const trainIter = new DataIter(train, { batchSize: BATCH_SIZE, shuffle: true, seed: SEED });
  const result = timed(epochs, () => {
    let lossSum = 0;
    for (const [batch, labels] of trainIter) {
      const size = labels.length;
      tf.tidy(() => {
        const X = tf.tensor2d(batch.data, [size, 784]);
        const y = tf.tensor1d(labels, "int32");
        // l.sum().backward(), then param −= lr · grad / batch_size (d2l: sgd)
        const { value, grads } = tf.variableGrads(() => tf.sum(crossEntropy(net(X), y)) as tf.Scalar, [W, b]);
        W.assign(tf.sub(W, tf.mul(grads["W"]!, LR / size)));
        b.assign(tf.sub(b, tf.mul(grads["b"]!, LR / size)));
        lossSum += value.dataSync()[0]!;
      });
    }
    const predicted = tf.tidy(() => tf.argMax(net(testData.X), 1).dataSync());
    let correct = 0;
    for (let i = 0; i < test.n; i++) if (predicted[i] === testData.labels[i]) correct++;
    return { trainLoss: lossSum / train.n, testAcc: correct / test.n };
  });
  return { name: "TensorFlow.js, the chapter's recipe in tf ops", project: "TensorFlow.js", ...result, notes: [`${backend}; tf.variableGrads, tf.tidy per batch, batches from DataIter`] };
};

/** model.fit of Dense(10, softmax), validation on the test set every epoch. */
const fit: RowRunner = async ({ train, test, epochs }: RowContext) => {
  const backend = await useWasmBackend();
  const trainData = tensors(train);
  const testData = tensors(test);
  const oneHot = (y: tf.Tensor1D): tf.Tensor2D => tf.oneHot(y, 10).toFloat() as tf.Tensor2D;
  const model = tf.sequential({
    layers: [tf.layers.dense({
      units: 10, inputShape: [784], activation: "softmax",
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: SEED }), biasInitializer: "zeros",
    })],
  });
  // The mean loss with lr 0.1 is the chapter's summed loss with lr 0.1 / batch size.
  model.compile({ optimizer: tf.train.sgd(LR), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const epochMs: number[] = [];
  let trainLoss = Number.NaN, testAcc = Number.NaN;
  let start = performance.now();
  await model.fit(trainData.X, oneHot(trainData.y), {
    batchSize: BATCH_SIZE, epochs, shuffle: true, validationData: [testData.X, oneHot(testData.y)], verbose: 0,
    callbacks: {
      onEpochEnd: async (_epoch, logs) => {
        epochMs.push(performance.now() - start);
        trainLoss = logs?.["loss"] ?? Number.NaN;
        testAcc = logs?.["val_acc"] ?? logs?.["val_accuracy"] ?? Number.NaN;
        start = performance.now();
      },
    },
  });
  return { name: "TensorFlow.js, model.fit (Dense 10, softmax)", project: "TensorFlow.js", epochMs, trainLoss, testAcc, notes: [`${backend}; validation on the test set each epoch`] };
};

export const TFJS_ROWS: Record<string, RowRunner> = { "tfjs-ops": recipe, "tfjs-fit": fit };
