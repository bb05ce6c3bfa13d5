// AssemblyScript entry of the kernels module: the exports the host (../module.ts) calls.
// Built three times by `npm run build`: SIMD on an imported memory; SIMD + threads on a shared one; and the
// same with relaxed SIMD, whose products fuse their multiply-adds.

export { dotRows, dotColumnsT, sumShards, transpose } from "./matmul";
export { expInPlace, softmaxCrossEntropy, crossEntropyStep, maxAxis } from "./softmax";
export { gatherRows } from "./gather";
export { axpy, binary2d, sumAxis, updateFromParts } from "./vector";
export { trainBatches, evaluate, meet, PLAN_BYTES } from "./train";
export { runCommands } from "./program";

/** First byte after the module's static data: the host lays out its buffers from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Whether this build's products fuse their multiply-adds (the relaxed SIMD build). */
export function fusesMultiplyAdd(): bool {
  return ASC_FEATURE_RELAXED_SIMD;
}
