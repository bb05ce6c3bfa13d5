// The package's public API: a plain list of re-exports (no side effects).

export type { BinaryOp, GatheredRows, Kernels, RowIndex, UnaryOp } from "./kernels/kernels.ts";
export { ref } from "./kernels/ref.ts";
export { getKernels, setKernels } from "./kernels/current.ts";
export { selectKernels, type KernelsChoice, type KernelsSelection, type SelectKernelsOptions } from "./kernels/select.ts";
export { WasmNotBuiltError, defaultWasmUrl, loadWasmModule, type WasmSource, type WasmVariant } from "./kernels/wasm/load.ts";
export { probeSharedMemory, probeSimd, type Probe } from "./kernels/wasm/probe.ts";
export { DEFAULT_SHARDS, ResidentTrainer, residentThreads, type BatchResults, type PhaseTimes, type ResidentData, type ResidentTrainerOptions, type StartupTimes } from "./kernels/wasm/resident.ts";
export type { HelperInit, HelperTeam, ThreadHost } from "./kernels/wasm/threads.ts";
export { webThreads } from "./kernels/wasm/webThreads.ts";

export { Tensor, type NestedArray } from "./tensor/tensor.ts";
export { Storage } from "./tensor/storage.ts";
export { tensor, zeros, ones, normal, type CreateOptions, type NormalOptions } from "./tensor/create.ts";
export { Rng, manualSeed, defaultRng } from "./tensor/random.ts";
export { add, sub, mul, div, neg, exp, log, sum, max, argmax, matmul, pick, reshape, type IndexLike, type ReduceOptions, type TensorLike } from "./tensor/ops.ts";
export { noGrad, isGradEnabled, type OpName, type BackwardRule } from "./tensor/graph.ts";
export { backward, zeroGrad } from "./tensor/autograd.ts";
export { backwardRules } from "./tensor/backward.ts";

export { softmax, stableSoftmax, logSoftmax } from "./nn/softmax.ts";
export { crossEntropy, softmaxCrossEntropy } from "./nn/loss.ts";
export { accuracy, countCorrect, predictions } from "./nn/accuracy.ts";
export { sgd, type Updater } from "./nn/sgd.ts";
export { SoftmaxRegression, type SoftmaxRegressionOptions, type SoftmaxNumerics } from "./nn/softmaxRegression.ts";

export { Accumulator } from "./train/accumulator.ts";
export { evaluateAccuracy } from "./train/evaluate.ts";
export { trainEpoch, type TrainEpochOptions } from "./train/trainEpoch.ts";
export { train, type TrainOptions } from "./train/train.ts";
export { StepCapture, type CapturedStep, type StepOutputs, type StepResult } from "./train/stepCapture.ts";
export { predict, type PredictOptions, type Predictions } from "./train/predict.ts";
export { NonFiniteLossError } from "./train/nonFiniteLoss.ts";
export { fusedTrainEpoch, fusedEvaluateAccuracy, type ByteExamples, type FusedEpochOptions } from "./train/fused.ts";
export { WasmTrainer, type WasmTrainerOptions } from "./train/wasmTrainer.ts";
export type { BatchMetrics, Batches, EpochMetrics, Loss, Net } from "./train/types.ts";

// Data (isomorphic part; the Node loader — loadDataFashionMnist, loadDataset, locateDataset,
// downloadFiles — is in ./node.ts because it imports node: modules).
export {
  DATASET_NAMES, FASHION_MNIST, FASHION_MNIST_LABELS, FILE_ROLES, IDX_FILE_NAMES, MNIST, getDatasetSpec, getFashionMnistLabels, isDatasetName,
  type DatasetFile, type DatasetName, type DatasetSpec, type FileRole,
} from "./data/datasets.ts";
export {
  IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, checkLabelRange, encodeIdxImages, encodeIdxLabels, isGzip, parseIdxImages, parseIdxLabels, readIdxHeader,
  type IdxHeader, type IdxImages, type IdxKind, type IdxLabels,
} from "./data/idx.ts";
export { gunzip, gunzipIfNeeded } from "./data/gunzip.ts";
export { buildSplits, classCounts, type DataSplit, type SplitFiles } from "./data/split.ts";
export { DataIter, gatherBatch, type DataIterOptions } from "./data/iterator.ts";

export { evaluateSplit, type ClassAccuracy, type SplitEvaluation } from "./train/evaluateSplit.ts";

// Pictures (plain numbers in, SVG text out).
export { Animator, trainingAnimator, type AnimatorOptions, type AnimatorSeries } from "./viz/animator.ts";
export { renderChartSvg } from "./viz/chart.ts";
export { D2L_STYLES, type ChartOptions, type ChartSeries, type SeriesStyle } from "./viz/chartTypes.ts";
export { showImages, type ImageBatch, type ShowImagesOptions } from "./viz/images.ts";
export { weightsImage, type WeightsImageOptions } from "./viz/weights.ts";
export { renderTerminalFrame, formatEpochLine, formatEpochJson, type TerminalFrameOptions, type TerminalProgress } from "./viz/terminal.ts";

// Model files (bytes in and out; saving to a path is in ./node.ts).
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type Safetensors, type SafetensorsTensor } from "./io/safetensors.ts";
export { encodeModel, decodeModel, ModelFileError, MODEL_FORMAT, MODEL_FORMAT_VERSION, PIXEL_PREPROCESSING, type ModelExpectation, type SoftmaxModel } from "./io/model.ts";
export { regressionFrom, numericsOf, batchSizeOf } from "./io/modelNet.ts";
