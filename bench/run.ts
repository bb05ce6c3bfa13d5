// Training-speed benchmark, in one process: one epoch of the chapter's recipe through autograd against the
// graph-free fused path (both: train pass with metrics + test evaluation), then the example end to end.
// Run: `npm run bench [-- --epochs N --data DIR --skip-example]`. Prints a markdown table for docs/benchmarks.md.

import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getKernels } from "../src/kernels/current.ts";
import { loadDataFashionMnist } from "../src/data/load.ts";
import { DataIter } from "../src/data/iterator.ts";
import { crossEntropy } from "../src/nn/loss.ts";
import { sgd } from "../src/nn/sgd.ts";
import { softmax } from "../src/nn/softmax.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { normal, zeros } from "../src/tensor/create.ts";
import { Rng } from "../src/tensor/random.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { evaluateAccuracy } from "../src/train/evaluate.ts";
import { fusedEvaluateAccuracy, fusedTrainEpoch } from "../src/train/fused.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";

/** The autograd path may take at most this many times the fused path's epoch. */
const BUDGET = 1.5;

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "5" },
    data: { type: "string" },
    "skip-example": { type: "boolean", default: false },
  },
});
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`--epochs must be a positive integer, got ${values.epochs}`);

const batchSize = 256;
const lr = 0.1;
const { trainIter, testIter, info } = await loadDataFashionMnist(batchSize, values.data ? { data: values.data } : {});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const gc = (globalThis as { gc?: () => void }).gc;

/** Runs `epoch` once to warm up the JIT, then `epochs` times, timing each; returns milliseconds. */
function time(epoch: () => void): number[] {
  epoch();
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    gc?.();
    const start = performance.now();
    epoch();
    times.push(performance.now() - start);
  }
  return times;
}

// The chapter's code path: W ~ Normal(0, 0.01), b = 0, naive softmax + cross-entropy, autograd, sgd.
const W = normal(0, 0.01, [784, 10], { requiresGrad: true, rng: new Rng(0) });
const b = zeros([10], { requiresGrad: true });
const net = (X: Tensor): Tensor => softmax(X.reshape([-1, W.shape[0]!]).matmul(W).add(b));
const updater = sgd([W, b], lr);
const autograd = time(() => {
  trainEpoch(net, trainIter, crossEntropy, updater);
  evaluateAccuracy(net, testIter);
});

// The fused path: gather uint8 → float, X·W + b, fused stable softmax cross-entropy and gradient, Xᵀ·G, SGD.
const model = new SoftmaxRegression({ numInputs: 784, numOutputs: 10, rng: new Rng(0) });
const fusedOrder = new DataIter(trainIter.split, { batchSize, shuffle: true, seed: 0 });
const fused = time(() => {
  fusedTrainEpoch(model, trainIter.split, fusedOrder.indexBatches(), { lr, batchSize });
  fusedEvaluateAccuracy(model, testIter.split, batchSize);
});

// For reference: iterating the batches alone (the data layer's gather, no model).
const dataOnly = time(() => {
  for (const _batch of trainIter);
  for (const _batch of testIter);
});

let example: { seconds: number; ok: boolean } | undefined;
if (!values["skip-example"]) {
  const script = fileURLToPath(new URL("../examples/from-scratch.ts", import.meta.url));
  const start = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
  example = { seconds: (performance.now() - start) / 1000, ok: run.status === 0 };
  if (!example.ok) process.stderr.write(`examples/from-scratch.ts exited with ${run.status}:\n${run.stdout}${run.stderr}\n`);
}

const ms = (x: number): string => x.toFixed(0);
const row = (name: string, work: string, t: number[]): string =>
  `| ${name} | ${work} | ${ms(median(t))} | ${ms(Math.min(...t))} | ${ms(Math.max(...t))} |`;
const ratio = median(autograd) / median(fused);
const lines = [
  `Machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores; Node ${process.version}; kernels: ${getKernels().name}; ` +
    `data: ${info.title} from ${info.dir}; batch ${batchSize}; ${epochs} timed epochs after one warm-up.`,
  "",
  "| path | one epoch = | median (ms) | min (ms) | max (ms) |",
  "| --- | --- | ---: | ---: | ---: |",
  row("autograd (the chapter's code)", "60 000 training examples through `net`, `crossEntropy`, `backward`, `sgd`, with metrics; then 10 000 test examples", autograd),
  row("fused, graph-free (`src/train/fused.ts`)", "the same work in one step per batch on reused buffers (stable loss)", fused),
  row("data only (reference)", "iterating the train and test batches, no model", dataOnly),
  `| **autograd / fused** | | **${ratio.toFixed(2)}×** (budget ≤ ${BUDGET}×) | | |`,
  ...(example ? [`| example end to end | \`npm run example\`: load, 10 epochs, checks (${example.ok ? "passed" : "FAILED"}) | ${ms(example.seconds * 1000)} | | |`] : []),
];
console.log(lines.join("\n"));
if (ratio > BUDGET) {
  console.error(`autograd epoch is ${ratio.toFixed(2)}× the fused one, over the ${BUDGET}× budget`);
  process.exitCode = 1;
}
if (example && !example.ok) process.exitCode = 1;
