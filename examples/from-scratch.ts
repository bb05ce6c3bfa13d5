// The d2l chapter "softmax regression from scratch" (§3.6, PyTorch edition), line for line in TypeScript.
// Run: `npm run example`. Prints one line per epoch, then the chapter's checks; exits with 1 if one fails.
// The chapter's helpers (accuracy, Accumulator, evaluate_accuracy, train_epoch_ch3, train_ch3, predict_ch3) are the library's.

import {
  loadDataFashionMnist,
  nodeThreads,
  normal,
  predict,
  selectKernels,
  setKernels,
  sgd,
  train,
  zeros,
  type Tensor,
} from "../src/node.ts";

// NOTE: not in d2l. The arithmetic kernels, chosen once: WebAssembly SIMD where it runs, else the plain loops
// (nodeThreads turns on relaxed SIMD, behind a flag in Node 20, for fused multiply-adds, and starts the
// threads each batch is split across: the same numbers on any count).
const { kernels, reason } = await selectKernels("auto", { host: nodeThreads, threads: "auto" });
setKernels(kernels);
console.log(`kernels: ${kernels.name} (${reason})`);

const batchSize = 256;
const { trainIter, testIter } = await loadDataFashionMnist(batchSize);

// Defining the softmax operation
function softmax(X: Tensor): Tensor {
  const XExp = X.exp();
  const partition = XExp.sum(1, { keepdim: true });
  return XExp.div(partition); // The broadcasting mechanism is applied here
}

const X = normal(0, 1, [2, 5]);
const XProb = softmax(X);
console.log(`${XProb}\nrow sums: ${XProb.sum(1)}`);

// Initializing model parameters
const numInputs = 784;
const numOutputs = 10;
const W = normal(0, 0.01, [numInputs, numOutputs], { requiresGrad: true });
const b = zeros([numOutputs], { requiresGrad: true });

// Defining the model
function net(X: Tensor): Tensor {
  return softmax(X.reshape([-1, W.shape[0]!]).matmul(W).add(b));
}

// Defining the loss function
function crossEntropy(yHat: Tensor, y: Int32Array): Tensor {
  return yHat.pick(y).log().neg(); // d2l: - torch.log(y_hat[range(len(y_hat)), y])
}

// Training
const lr = 0.1;
const updater = sgd([W, b], lr); // d2l: def updater(batch_size): return d2l.sgd([W, b], lr, batch_size)

const numEpochs = 10;
const started = performance.now();
const history = train(net, trainIter, testIter, crossEntropy, numEpochs, updater, {
  // NOTE: not in d2l. The step is recorded on the first batches and its kernel calls replayed on the rest
  // (StepCapture), compiled by the WebAssembly kernels: the same numbers, without rebuilding the graph each batch.
  capture: true,
  // NOTE: d2l draws these points with its Animator; here each epoch prints one line.
  onEpochEnd: ({ epoch, trainLoss, trainAcc, testAcc }) =>
    console.log(`epoch ${String(epoch).padStart(2)}: train loss ${trainLoss.toFixed(4)}, train acc ${trainAcc.toFixed(4)}, test acc ${testAcc.toFixed(4)}`),
});
console.log(`${numEpochs} epochs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// train_ch3's closing asserts, reported instead of raised.
const { trainLoss, trainAcc, testAcc } = history[history.length - 1]!;
const checks: [string, boolean][] = [
  [`train loss ${trainLoss.toFixed(4)} < 0.5`, trainLoss < 0.5],
  [`train acc ${trainAcc.toFixed(4)} in (0.7, 1]`, trainAcc <= 1 && trainAcc > 0.7],
  [`test acc ${testAcc.toFixed(4)} in (0.7, 1]`, testAcc <= 1 && testAcc > 0.7],
];
for (const [check, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} ${check}`);

// Prediction: the first 6 test images, true label → predicted label.
const { titles } = predict(net, testIter, 6);
console.log(titles.map((title) => title.replace("\n", " → ")).join("\n"));

if (!checks.every(([, ok]) => ok)) process.exitCode = 1;
