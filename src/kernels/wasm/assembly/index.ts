// AssemblyScript entry of the kernels module: the exports the host (../module.ts) calls.
// Built twice by `npm run build`: SIMD on an imported memory, and SIMD + threads on a shared one.

export { dotRows, dotRowsFused, dotColumnsT, dotColumnsTFused, transpose } from "./matmul";
export { expInPlace, softmaxCrossEntropy, crossEntropyStep, maxAxis } from "./softmax";
export { gatherRows } from "./gather";
export { axpy, binary2d, sumAxis, updateFromParts } from "./vector";
export { trainBatches, evaluate, meet, PLAN_BYTES } from "./train";

/** First byte after the module's static data: the host lays out its buffers from here. */
export function heapBase(): usize {
  return __heap_base;
}
