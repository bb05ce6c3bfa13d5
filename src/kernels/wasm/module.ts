// One instance of the kernels module on a WebAssembly memory, with typed exports and a bump allocator
// over that memory (the host lays out every buffer; the module never allocates). Isomorphic.

/** The module's exports (see assembly/index.ts); every pointer is a byte address into the memory. */
export interface KernelExports {
  heapBase(): number;
  /** 1 in the relaxed SIMD build, whose products fuse their multiply-adds; else 0. */
  fusesMultiplyAdd(): number;
  /** The products; their multiply-adds fuse in the build with relaxed SIMD (`fusesMultiplyAdd`). */
  dotRows(a: number, b: number, bias: number, out: number, m: number, n: number, k: number, scale: number): void;
  /** outT [n, k] = (aᵀ·b)ᵀ for a [m, k], b [m, n]; `stride` is the row length of a and outT (k, or more for a share of the columns). */
  dotColumnsT(a: number, b: number, outT: number, m: number, k: number, n: number, stride: number): void;
  /** out [k, n] = the sum of `shards` dotColumnsT outputs [n, k] at `base`, added in order, transposed. */
  sumShards(base: number, shards: number, out: number, n: number, k: number): void;
  crossEntropyStep(logits: number, labels: number, dlogits: number, db: number, stats: number, rows: number, cols: number): void;
  transpose(x: number, out: number, rows: number, cols: number): void;
  expInPlace(x: number, count: number): void;
  softmaxCrossEntropy(logits: number, labels: number, loss: number, dlogits: number, work: number, rows: number, cols: number): void;
  maxAxis(x: number, out: number, indices: number, outer: number, len: number, inner: number): void;
  gatherRows(
    src: number, len: number, rows: number, first: number, count: number, out: number, stride: number,
    hi: number, lo: number, mode: number, labels: number, y: number,
  ): number;
  axpy(alpha: number, x: number, y: number, n: number): void;
  binary2d(op: number, a: number, ar: number, ac: number, b: number, br: number, bc: number, out: number, m: number, n: number): void;
  sumAxis(x: number, out: number, acc: number, outer: number, len: number, inner: number): void;
  updateFromParts(w: number, g: number, partStride: number, parts: number, alpha: number, from: number, to: number): void;
  trainBatches(plan: number, thread: number, first: number, last: number): number;
  evaluate(plan: number, thread: number): number;
  meet(plan: number): number;
  /** Runs `count` commands of a compiled step from `list` on rows [r0, r1) of its batch, or each on all its rows when r1 < 0. */
  runCommands(list: number, count: number, r0: number, r1: number, scratch: number): void;
  PLAN_BYTES: WebAssembly.Global;
}

const PAGE = 65536;

/** Rounds up to a multiple of 16 bytes (one v128). */
export function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** The imports every instance gets: a clock for the optional phase timings, and the host's Math.log (the reference's log, bit for bit). */
function imports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return { env: { memory, now: () => performance.now(), log: Math.log } };
}

/** Instantiates `module` on `memory`; used by the host thread and by each helper thread alike. */
export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, imports(memory));
  return instance.exports as unknown as KernelExports;
}

/**
 * A kernels instance and its memory, with typed views refreshed after the memory grows and a bump
 * allocator from the module's heap base. `mark`/`release` free everything allocated after a mark.
 */
export class KernelsInstance {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  private top: number;
  private u8View = new Uint8Array(0);
  private i32View = new Int32Array(0);
  private f32View = new Float32Array(0);
  private f64View = new Float64Array(0);

  constructor(exports: KernelExports, memory: WebAssembly.Memory) {
    this.exports = exports;
    this.memory = memory;
    this.top = align16(exports.heapBase());
    this.refresh();
  }

  /** Allocates `bytes` (16-byte aligned, not cleared), growing the memory when needed. Returns the address. */
  alloc(bytes: number): number {
    const at = this.top;
    const end = align16(at + bytes);
    this.reserve(end);
    this.top = end;
    return at;
  }

  /** Grows the memory, if needed, so that allocations up to byte `end` will not grow it. */
  reserve(end: number): void {
    const size = this.u8View.byteLength;
    if (end > size) {
      this.memory.grow(Math.ceil((end - size) / PAGE));
      this.refresh();
    }
  }

  /** The current top of the allocator, to `release` back to. */
  mark(): number {
    return this.top;
  }

  /** Frees everything allocated since `mark` (the memory itself never shrinks). */
  release(mark: number): void {
    this.top = mark;
  }

  /** Remakes the views over the memory (only `reserve` grows it: the module never does). */
  private refresh(): void {
    const buffer = this.memory.buffer;
    this.u8View = new Uint8Array(buffer);
    this.i32View = new Int32Array(buffer);
    this.f32View = new Float32Array(buffer);
    this.f64View = new Float64Array(buffer);
  }

  get u8(): Uint8Array {
    return this.u8View;
  }

  get i32(): Int32Array {
    return this.i32View;
  }

  get f32(): Float32Array {
    return this.f32View;
  }

  get f64(): Float64Array {
    return this.f64View;
  }
}

/** Creates a memory of at least `bytes` (plus room for the module's static data) and an instance on it. */
export async function createKernelsInstance(
  module: WebAssembly.Module,
  options: { bytes?: number; shared?: boolean; maximumPages?: number } = {},
): Promise<KernelsInstance> {
  const { bytes = 0, shared = false, maximumPages = 16384 } = options;
  const initial = Math.max(1, Math.ceil((bytes + PAGE) / PAGE));
  const memory = shared
    ? new WebAssembly.Memory({ initial, maximum: maximumPages, shared: true })
    : new WebAssembly.Memory({ initial });
  return new KernelsInstance(await instantiateKernels(module, memory), memory);
}
