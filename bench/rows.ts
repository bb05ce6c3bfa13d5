// This project's benchmark rows: the chapter's autograd path (ref and wasm kernels, and its step captured), the graph-free fused
// path (ref kernels, and the WebAssembly Kernels set), the resident WebAssembly trainer on 1 and all threads,
// and the data layer alone. Each runs `epochs` epochs of batch 256, lr 0.1 on the real Fashion-MNIST.

import { DataIter } from "../src/data/iterator.ts";
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
import { StepCapture } from "../src/train/stepCapture.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";
import { WasmTrainer } from "../src/train/wasmTrainer.ts";
import type { RowResult } from "./result.ts";

export const BATCH_SIZE = 256;
export const LR = 0.1;
export const SEED = 0;

/** What a row runner gets: the data set and the number of epochs. */
export interface RowContext {
  train: DataSplit;
  test: DataSplit;
  epochs: number;
}

export type RowOutcome = Omit<RowResult, "id" | "peakRssMiB">;
export type RowRunner = (ctx: RowContext) => Promise<RowOutcome>;

const gc = (globalThis as { gc?: () => void }).gc;

/** Times each epoch (train + evaluation) after collecting the previous one's garbage. */
function timeEpochs(epochs: number, epoch: (e: number) => { trainLoss: number; testAcc: number }) {
  const epochMs: number[] = [];
  let last = { trainLoss: Number.NaN, testAcc: Number.NaN };
  for (let e = 1; e <= epochs; e++) {
    gc?.();
    const start = performance.now();
    last = epoch(e);
    epochMs.push(performance.now() - start);
  }
  return { epochMs, ...last };
}

/**
 * The chapter's code path: W ~ Normal(0, 0.01), b = 0, its naive softmax and cross-entropy, autograd, sgd;
 * with `capture`, as examples/from-scratch.ts runs it (the step and the evaluation recorded once, then
 * compiled by the WebAssembly kernels), each batch on `threads` threads (the example: "auto").
 */
function autograd(kernels: "ref" | "wasm", capture = false, threads: number | "auto" = 1): RowRunner {
  return async ({ train, test, epochs }) => {
    const selection = await selectKernels(kernels, { host: nodeThreads, threads });
    setKernels(selection.kernels);
    const W = normal(0, 0.01, [784, 10], { requiresGrad: true, rng: new Rng(SEED) });
    const b = zeros([10], { requiresGrad: true });
    const net = (X: Tensor): Tensor => softmax(X.reshape([-1, W.shape[0]!]).matmul(W).add(b));
    const updater = sgd([W, b], LR);
    const trainIter = new DataIter(train, { batchSize: BATCH_SIZE, shuffle: true, seed: SEED });
    const testIter = new DataIter(test, { batchSize: BATCH_SIZE });
    // As train(…, { capture: true }) does: one capture for the step, one for the evaluation's forward pass.
    const stepCapture = capture ? new StepCapture() : false;
    const evalCapture = capture ? new StepCapture() : false;
    const timed = timeEpochs(epochs, () => {
      const [trainLoss] = trainEpoch(net, trainIter, crossEntropy, updater, { capture: stepCapture });
      return { trainLoss, testAcc: evaluateAccuracy(net, testIter, { capture: evalCapture }) };
    });
    await selection.close();
    const onThreads = selection.threads > 1 ? `, ${selection.threads} threads` : "";
    return {
      name: `autograd, the chapter's code${capture ? ", step captured" : ""} (${selection.kernels.name} kernels${onThreads})`,
      project: "this project",
      ...timed,
      notes: [
        !capture
          ? "`train_epoch_ch3` + `evaluate_accuracy`: Tensor ops, backward, sgd on every batch; naive softmax"
          : selection.threads === 1
            ? "the captured step on one thread (the same numbers)"
            : "as examples/from-scratch.ts runs it: the step recorded on two batches, then compiled; each batch's tiles shared among the threads",
      ],
    };
  };
}

/** The graph-free fused step (src/train/fused.ts) on a Kernels set. */
function fused(kernels: "ref" | "wasm"): RowRunner {
  return async ({ train, test, epochs }) => {
    const selection = await selectKernels(kernels, { host: nodeThreads });
    setKernels(selection.kernels);
    const model = new SoftmaxRegression({ numInputs: 784, numOutputs: 10, rng: new Rng(SEED) });
    const order = new DataIter(train, { batchSize: BATCH_SIZE, shuffle: true, seed: SEED });
    const timed = timeEpochs(epochs, (epoch) => {
      const [trainLoss] = fusedTrainEpoch(model, train, order.indexBatches(), { lr: LR, batchSize: BATCH_SIZE, epoch });
      return { trainLoss, testAcc: fusedEvaluateAccuracy(model, test, BATCH_SIZE) };
    });
    return {
      name: `fused, graph-free (${selection.kernels.name} kernels)`,
      project: "this project",
      ...timed,
      notes: [kernels === "ref" ? "one step per batch on reused buffers; stable loss" : "same step; batches gathered in WebAssembly memory, the other arrays copied in and out per call"],
    };
  };
}

/** The resident WebAssembly trainer (src/train/wasmTrainer.ts); `fused: false` keeps multiply-then-add. */
function resident(threads: number | "auto", fused = true): RowRunner {
  return async ({ train, test, epochs }) => {
    const model = new SoftmaxRegression({ numInputs: 784, numOutputs: 10, rng: new Rng(SEED) });
    const order = new DataIter(train, { batchSize: BATCH_SIZE, shuffle: true, seed: SEED });
    const trainer = await WasmTrainer.create(model, { train, test }, { lr: LR, batchSize: BATCH_SIZE, threads, host: nodeThreads, fused });
    try {
      const timed = timeEpochs(epochs, (epoch) => {
        const [trainLoss] = trainer.trainEpoch(order.indexBatches(), { epoch });
        return { trainLoss, testAcc: trainer.evaluateAccuracy() };
      });
      const arithmetic = trainer.variant === "relaxed" ? "fused multiply-add (relaxed SIMD)" : "multiply, then add";
      return {
        name: `resident WebAssembly trainer, ${trainer.threads} thread${trainer.threads === 1 ? "" : "s"}${fused ? "" : ", no fused multiply-add"}`,
        project: "this project",
        ...timed,
        notes: [`data, W, b and gradients in WebAssembly memory, one call per epoch; ${arithmetic}; ${trainer.threadsReason}`],
      };
    } finally {
      await trainer.close();
    }
  };
}

/** Iterating the train and test batches alone: the data layer's share of the autograd path. */
const dataOnly: RowRunner = async ({ train, test, epochs }) => {
  const trainIter = new DataIter(train, { batchSize: BATCH_SIZE, shuffle: true, seed: SEED });
  const testIter = new DataIter(test, { batchSize: BATCH_SIZE });
  const timed = timeEpochs(epochs, () => {
    for (const _batch of trainIter);
    for (const _batch of testIter);
    return { trainLoss: Number.NaN, testAcc: Number.NaN };
  });
  return { name: "data only (reference)", project: "this project", ...timed, notes: ["iterating the float batches of both splits, no model"] };
};

/** This project's rows, by id, in table order. */
export const PROJECT_ROWS: Record<string, RowRunner> = {
  "wasm-threads": resident("auto"),
  "wasm-1": resident(1),
  "wasm-1-plain": resident(1, false),
  "fused-wasm": fused("wasm"),
  "fused-ref": fused("ref"),
  "autograd-capture-wasm": autograd("wasm", true, 1),
  "autograd-capture-wasm-threads": autograd("wasm", true, "auto"),
  "autograd-wasm": autograd("wasm"),
  "autograd-ref": autograd("ref"),
  "data-only": dataOnly,
};
