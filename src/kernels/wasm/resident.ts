// The resident trainer: the data set (uint8), Wᵀ, b and every gradient buffer live in one WebAssembly
// memory; each call runs many batches. With a thread host and shared memory, helper threads compute
// fixed shards of each batch; the numbers do not depend on the thread count. Isomorphic.

import type { RowIndex } from "../kernels.ts";
import { loadWasmModule, type WasmSource, type WasmVariant } from "./load.ts";
import { align16, createKernelsInstance, type KernelsInstance } from "./module.ts";
import { BARRIER, COMMAND, CONTROL, MAX_THREADS, PHASES, PLAN, PLAN_BYTES, type Phase } from "./plan.ts";
import { probeRelaxedSimd, probeSharedMemory, probeSimd } from "./probe.ts";
import { gatherMode, pixelScale } from "./scale.ts";
import { chooseThreads, postCommand, raiseAbort, type HelperTeam, type ThreadHost } from "./threads.ts";

/** Examples as uint8 values: images [n, inputs], labels [n] class indices. */
export interface ResidentData {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
}

/** Batch shards every gradient is summed from, whatever the thread count: 1, 2 or 4 threads give the same numbers. */
export const DEFAULT_SHARDS = 4;
/** Fewest batch rows worth a thread of their own; smaller batches train on fewer threads. */
const MIN_ROWS_PER_THREAD = 32;

export interface ResidentTrainerOptions {
  train: ResidentData;
  /** The evaluation set (`evaluate()` counts its correct predictions). */
  test?: ResidentData;
  /** Values per example (784). */
  inputs: number;
  /** Number of classes (10). */
  classes: number;
  /** Largest batch `trainBatches` will be given. */
  batchSize: number;
  /** Threads, or "auto" (default): every core, at most `shards`, and 1 where threads cannot run or do not pay. */
  threads?: number | "auto";
  /** Shards per batch (default 4); the thread count must not exceed it. */
  shards?: number;
  /** Starts helper threads (e.g. `nodeThreads`); without one, training runs on the calling thread only. */
  host?: ThreadHost;
  /** Pixel scale (default 1/255). */
  scale?: number;
  /** Module sources; default the built files under build/wasm/. */
  wasm?: Partial<Record<WasmVariant, WasmSource>>;
  /**
   * Whether the training step's products may use relaxed SIMD's fused multiply-add where the runtime has it
   * (default true): one rounding per multiply-add instead of two, so the numbers move within float32 rounding
   * of the plain build's. False runs the "threads" build: the reference's arithmetic in the same order.
   */
  fused?: boolean;
}

/** What one `trainBatches` call measured, per batch (in the order given). */
export interface BatchResults {
  /** Σ of the per-example losses of each batch. */
  lossSums: Float64Array;
  /** Correct predictions of each batch (argmax before the update). */
  correct: Int32Array;
  sizes: Int32Array;
  /** Set when a batch's loss was not finite: its index (from 0) and loss; no batch from it on was applied. */
  nonFinite: { batch: number; loss: number } | null;
}

/** Milliseconds per phase of one thread, summed since the last `resetPhaseTimes`. */
export type PhaseTimes = Record<Phase, number>;

/** Milliseconds `create` spent: instantiating, copying the data in (as the helpers start), awaiting the helpers. */
export interface StartupTimes { instantiate: number; upload: number; helpers: number }

/**
 * How many threads `create` will run on with these options, and why: every core up to the shards, fewer for
 * small batches, one without a host or shared memory; a RangeError saying why for more than the shards.
 */
export function residentThreads(options: Pick<ResidentTrainerOptions, "threads" | "batchSize" | "shards" | "host">): { threads: number; reason: string } {
  const asked = options.threads ?? "auto";
  const shards = options.shards ?? DEFAULT_SHARDS;
  const worth = Math.max(1, Math.floor(options.batchSize / MIN_ROWS_PER_THREAD));
  const limit = asked === "auto" && worth < shards
    ? { max: worth, why: `batches of ${options.batchSize} are too small to share` }
    : { max: shards, why: `each thread computes whole shards of a batch, and there are ${shards} (shards)` };
  return chooseThreads(asked, options.host, limit);
}

function checkData(data: ResidentData, inputs: number, classes: number, what: string): void {
  if (data.images.length !== data.n * inputs || data.labels.length !== data.n) {
    throw new RangeError(`${what}: expected ${data.n} examples of ${inputs} values and ${data.n} labels, got ${data.images.length} values and ${data.labels.length} labels`);
  }
  for (let i = 0; i < data.n; i++) {
    if (data.labels[i]! >= classes) throw new RangeError(`${what}: label ${data.labels[i]} of example ${i} is not a class index below ${classes}`);
  }
}

export class ResidentTrainer {
  /** Threads training runs on (the calling thread included). */
  readonly threads: number;
  /** Why that many: for the caller's log line. */
  readonly threadsReason: string;
  readonly shards: number;
  /** The module build in use: "relaxed" (shared memory, fused multiply-add), "threads" (shared memory) or "simd". */
  readonly variant: WasmVariant;
  /** Where `create`'s time went (for --verbose). */
  readonly startupTimes: StartupTimes;
  private readonly instance: KernelsInstance;
  private readonly team: HelperTeam | null;
  private readonly plan: number;
  private readonly control: number;
  private readonly inputs: number;
  private readonly classes: number;
  private readonly stride: number;
  private readonly batchSize: number;
  private readonly trainN: number;
  private readonly testN: number;
  private batchCapacity = 0;
  private indexCapacity = 0;
  private closed = false;

  private constructor(init: {
    instance: KernelsInstance; team: HelperTeam | null; variant: WasmVariant; threads: number; threadsReason: string;
    shards: number; plan: number; control: number; inputs: number; classes: number; batchSize: number; trainN: number; testN: number;
    startupTimes: StartupTimes;
  }) {
    this.startupTimes = init.startupTimes;
    this.instance = init.instance;
    this.team = init.team;
    this.variant = init.variant;
    this.threads = init.threads;
    this.threadsReason = init.threadsReason;
    this.shards = init.shards;
    this.plan = init.plan;
    this.control = init.control;
    this.inputs = init.inputs;
    this.classes = init.classes;
    this.stride = (init.inputs + 3) & ~3;
    this.batchSize = init.batchSize;
    this.trainN = init.trainN;
    this.testN = init.testN;
  }

  /** Uploads the data once, lays out every buffer, and starts the helper threads. Close it when done. */
  static async create(options: ResidentTrainerOptions): Promise<ResidentTrainer> {
    const { train, test, inputs: D, classes: C, batchSize } = options;
    for (const [name, value] of [["inputs", D], ["classes", C], ["batchSize", batchSize]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`ResidentTrainer: ${name} must be a positive integer, got ${value}`);
    }
    const simd = probeSimd();
    if (!simd.ok) throw new Error(`the resident WebAssembly trainer needs SIMD, but ${simd.reason}`);
    checkData(train, D, C, "ResidentTrainer (training set)");
    if (test) checkData(test, D, C, "ResidentTrainer (test set)");
    const shards = options.shards ?? DEFAULT_SHARDS;
    if (!Number.isInteger(shards) || shards < 1 || shards > MAX_THREADS) throw new RangeError(`ResidentTrainer: shards must be an integer in [1, ${MAX_THREADS}], got ${shards}`);
    const { threads, reason } = residentThreads({ ...options, shards });
    options.host?.enableFeatures?.();
    const variant: WasmVariant = !probeSharedMemory().ok ? "simd" : options.fused !== false && probeRelaxedSimd().ok ? "relaxed" : "threads";
    const began = performance.now();
    const module = await loadWasmModule(variant, options.wasm?.[variant]);

    const Dp = (D + 3) & ~3;
    const R = Math.ceil(batchSize / shards);
    const Ca = (C + 3) & ~3;
    // Per thread, the row buffers of the shard it is working on; per shard, what outlives the shard (its
    // gradients and stats, read by the update). Offsets are inside each block.
    let at = 0;
    const take = (bytes: number): number => { const here = at; at += align16(bytes); return here; };
    const scratchLayout = {
      // crossEntropyStep reads each row's last vector whole: 4 spare floats after the logits.
      x: take(R * Dp * 4), y: take(R * 4), logits: take((R * C + 4) * 4), dlogits: take(((R * C + 3) & ~3) * 4), bytes: 0,
    };
    scratchLayout.bytes = at;
    at = 0;
    const shardLayout = { dW: take(C * Dp * 4), db: take(Ca * 4), stats: take(16), bytes: 0 };
    shardLayout.bytes = at;
    const testN = test?.n ?? 0;
    // Each thread updates a copy of Wᵀ and b of its own (see assembly/train.ts); copy t lies t · paramsBytes after copy 0.
    const paramsBytes = align16(C * Dp * 4) + align16(Ca * 4);
    // Two sets of shard blocks: alternate batches use alternate sets.
    const estimate = train.n * (D + 1) + testN * (D + 1) + threads * (scratchLayout.bytes + paramsBytes) + 2 * shards * shardLayout.bytes + train.n * 24 + (1 << 20);

    const instance = await createKernelsInstance(module, { bytes: estimate, shared: variant !== "simd" });
    const plan = instance.alloc(PLAN_BYTES);
    const control = instance.alloc(CONTROL.BYTES);
    const barrier = instance.alloc(BARRIER.BYTES);
    const times = instance.alloc(MAX_THREADS * 64);
    const evalCorrect = instance.alloc(MAX_THREADS * 4);
    const Wt = instance.alloc(threads * paramsBytes);
    const bias = Wt + align16(C * Dp * 4);
    // 16 spare bytes after each table: the gather reads whole vectors.
    const images = instance.alloc(train.n * D + 16);
    const labels = instance.alloc(train.n + 16);
    const testImages = instance.alloc(testN * D + 16);
    const testLabels = instance.alloc(testN + 16);
    const shardBase = instance.alloc(2 * shards * shardLayout.bytes);
    const scratchBase = instance.alloc(threads * scratchLayout.bytes);
    const instantiated = performance.now();
    const u8 = instance.u8;
    u8.fill(0, plan, instance.mark());
    const i32 = instance.i32;
    const set32 = (field: number, value: number): void => { i32[(plan + field) >> 2] = value; };
    const scale = options.scale ?? 1 / 255;
    if (!Number.isFinite(scale)) throw new RangeError(`ResidentTrainer: scale must be finite, got ${scale}`);
    set32(PLAN.IMAGES, images); set32(PLAN.LABELS, labels); set32(PLAN.LEN, D); set32(PLAN.STRIDE, Dp); set32(PLAN.CLASSES, C);
    set32(PLAN.WT, Wt); set32(PLAN.BIAS, bias); set32(PLAN.THREADS, threads); set32(PLAN.SHARDS, shards);
    set32(PLAN.SHARD_BASE, shardBase); set32(PLAN.SHARD_BYTES, shardLayout.bytes); set32(PLAN.SHARD_ROWS, R);
    set32(PLAN.SCRATCH_BASE, scratchBase); set32(PLAN.SCRATCH_BYTES, scratchLayout.bytes); set32(PLAN.PARAMS_BYTES, paramsBytes);
    set32(PLAN.OFF_X, scratchLayout.x); set32(PLAN.OFF_Y, scratchLayout.y); set32(PLAN.OFF_LOGITS, scratchLayout.logits);
    set32(PLAN.OFF_DLOGITS, scratchLayout.dlogits); set32(PLAN.OFF_DW, shardLayout.dW);
    set32(PLAN.OFF_DB, shardLayout.db); set32(PLAN.OFF_STATS, shardLayout.stats);
    set32(PLAN.BARRIER, barrier);
    set32(PLAN.TEST_IMAGES, testImages); set32(PLAN.TEST_LABELS, testLabels); set32(PLAN.TEST_N, testN);
    set32(PLAN.EVAL_CORRECT, evalCorrect); set32(PLAN.TIMES, times);
    const f64 = instance.f64;
    f64[(plan + PLAN.SCALE) >> 3] = scale;
    const exact = pixelScale(scale);
    set32(PLAN.EVAL_SCALE_MODE, gatherMode(exact));
    f64[(plan + PLAN.EVAL_SCALE_HI) >> 3] = exact.hi;
    f64[(plan + PLAN.EVAL_SCALE_LO) >> 3] = exact.lo;
    if (instance.exports.PLAN_BYTES.value !== PLAN_BYTES) {
      throw new Error(`the kernels module's plan has ${instance.exports.PLAN_BYTES.value} bytes, this host expects ${PLAN_BYTES}: rebuild it with \`npm run build\``);
    }

    // The helpers start (on their own threads) while this one copies the data in; they read it only
    // once a command is posted, after create returns.
    const spawning = threads > 1 ? options.host!.spawn({ module, memory: instance.memory, plan, control }, threads - 1) : null;
    u8.set(train.images, images);
    u8.set(train.labels, labels);
    if (test) {
      u8.set(test.images, testImages);
      u8.set(test.labels, testLabels);
    }
    const uploaded = performance.now();
    const team = await spawning;
    const startupTimes = { instantiate: instantiated - began, upload: uploaded - instantiated, helpers: performance.now() - uploaded };
    const trainer = new ResidentTrainer({
      instance, team, variant, threads, threadsReason: reason, shards, plan, control, inputs: D, classes: C, batchSize, trainN: train.n, testN, startupTimes,
    });
    trainer.reserve(train.n, Math.ceil(train.n / Math.min(batchSize, train.n || 1)) + 1);
    return trainer;
  }

  private field(name: keyof typeof PLAN): number {
    return this.instance.i32[(this.plan + PLAN[name]) >> 2]!;
  }

  private setField(name: keyof typeof PLAN, value: number): void {
    this.instance.i32[(this.plan + PLAN[name]) >> 2] = value;
  }

  /** Makes room for `indices` example indices and `batches` batches per call (allocated at the top of the memory). */
  private reserve(indices: number, batches: number): void {
    if (indices > this.indexCapacity) {
      this.indexCapacity = indices;
      this.setField("ORDER", this.instance.alloc(indices * 4));
    }
    if (batches > this.batchCapacity) {
      this.batchCapacity = batches;
      this.setField("STARTS", this.instance.alloc((batches + 1) * 4));
      this.setField("BATCH_LOSS", this.instance.alloc(batches * 8));
      this.setField("BATCH_CORRECT", this.instance.alloc(batches * 4));
    }
  }

  private check(): void {
    if (this.closed) throw new Error("ResidentTrainer: used after close()");
  }

  /** Copies W [inputs, classes] and b [classes] in, into every thread's copy (W is held transposed, padded with zeros). */
  setParams(W: Float32Array, b: Float32Array): void {
    this.check();
    const { inputs: D, classes: C, stride: Dp } = this;
    if (W.length !== D * C || b.length !== C) throw new RangeError(`setParams: expected W [${D}, ${C}] and b [${C}], got ${W.length} and ${b.length} values`);
    const f32 = this.instance.f32;
    const wt = this.field("WT") >> 2, bias = this.field("BIAS") >> 2, copy = this.field("PARAMS_BYTES") >> 2;
    for (let c = 0; c < C; c++) {
      const row = wt + c * Dp;
      for (let d = 0; d < D; d++) f32[row + d] = W[d * C + c]!;
      for (let d = D; d < Dp; d++) f32[row + d] = 0;
    }
    f32.set(b, bias);
    for (let t = 1; t < this.threads; t++) f32.copyWithin(wt + t * copy, wt, wt + copy);
  }

  /** Copies W [inputs, classes] and b [classes] out (thread 0's copy; every copy is the same). */
  getParams(W: Float32Array, b: Float32Array): void {
    this.check();
    const { inputs: D, classes: C, stride: Dp } = this;
    if (W.length !== D * C || b.length !== C) throw new RangeError(`getParams: expected W [${D}, ${C}] and b [${C}], got ${W.length} and ${b.length} values`);
    const f32 = this.instance.f32;
    const wt = this.field("WT") >> 2;
    for (let c = 0; c < C; c++) {
      const row = wt + c * Dp;
      for (let d = 0; d < D; d++) W[d * C + c] = f32[row + d]!;
    }
    b.set(f32.subarray(this.field("BIAS") >> 2, (this.field("BIAS") >> 2) + C));
  }

  /** Posts a command to the helpers (they spin, then sleep, waiting for the sequence number to move). */
  private post(command: number, arg0 = 0, arg1 = 0): void {
    if (this.team !== null) postCommand(this.instance.memory, this.control, command, arg0, arg1);
  }

  private aborted(): Error {
    const detail = this.team?.firstError();
    return new Error(`a helper thread of the WebAssembly trainer failed${detail ? `: ${detail}` : ""}; close this trainer and start again`);
  }

  /** Runs `body` (this thread's share of a command); if it throws, the helpers are released from the barrier. */
  private guarded<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (this.team !== null) raiseAbort(this.instance.memory, this.plan);
      throw error;
    }
  }

  /**
   * One SGD step per batch on the resident data: param −= lr · grad / |batch|, grad = Σ over shards of
   * the summed loss's gradient. `batches` yields example indices (e.g. `DataIter.indexBatches()`), each
   * at most `batchSize`. `onChunk(first, last, results)` is called after every `chunkBatches` batches
   * (default: all at once), with that chunk's results filled in. Stops at a non-finite loss (see `nonFinite`).
   */
  trainBatches(
    batches: Iterable<RowIndex>,
    lr: number,
    options: { chunkBatches?: number; onChunk?: (first: number, last: number, results: BatchResults) => void } = {},
  ): BatchResults {
    this.check();
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`trainBatches: lr must be a finite number >= 0, got ${lr}`);
    const list = Array.isArray(batches) ? (batches as RowIndex[]) : [...batches];
    let total = 0;
    for (const rows of list) total += rows.length;
    this.reserve(total, list.length);
    const i32 = this.instance.i32;
    const order = this.field("ORDER") >> 2, starts = this.field("STARTS") >> 2;
    const sizes = new Int32Array(list.length);
    let at = 0;
    for (let b = 0; b < list.length; b++) {
      const rows = list[b]!;
      if (rows.length > this.batchSize) throw new RangeError(`trainBatches: batch ${b + 1} has ${rows.length} examples, more than batchSize ${this.batchSize}`);
      i32[starts + b] = at;
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r]!;
        if (!(i >= 0 && i < this.trainN)) throw new RangeError(`trainBatches: example index ${i} is outside [0, ${this.trainN})`);
        i32[order + at + r] = i;
      }
      at += rows.length;
      sizes[b] = rows.length;
    }
    i32[starts + list.length] = at;
    this.instance.f64[(this.plan + PLAN.LR) >> 3] = lr;

    const results: BatchResults = { lossSums: new Float64Array(list.length), correct: new Int32Array(list.length), sizes, nonFinite: null };
    const chunk = Math.max(1, options.chunkBatches ?? list.length);
    for (let first = 0; first < list.length; first += chunk) {
      const last = Math.min(first + chunk, list.length);
      this.post(COMMAND.TRAIN, first, last);
      const status = this.guarded(() => this.instance.exports.trainBatches(this.plan, 0, first, last));
      if (status === -2) throw this.aborted();
      const end = status >= 0 ? status : last;
      const lossAt = this.field("BATCH_LOSS") >> 3, correctAt = this.field("BATCH_CORRECT") >> 2;
      results.lossSums.set(this.instance.f64.subarray(lossAt + first, lossAt + end), first);
      results.correct.set(this.instance.i32.subarray(correctAt + first, correctAt + end), first);
      if (status >= 0) {
        results.nonFinite = { batch: status, loss: this.shardLossSum(status) };
        return results;
      }
      options.onChunk?.(first, last, results);
    }
    return results;
  }

  /** The loss of batch `batch`, just computed (Σ over its shards, in order): what stopped a run. */
  private shardLossSum(batch: number): number {
    const bytes = this.field("SHARD_BYTES"), stats = this.field("OFF_STATS");
    // Alternate batches use alternate sets of shard blocks (assembly/train.ts).
    const base = this.field("SHARD_BASE") + (batch & 1) * this.shards * bytes;
    let s = 0;
    for (let k = 0; k < this.shards; k++) s += this.instance.f64[(base + k * bytes + stats) >> 3]!;
    return s;
  }

  /** Correct predictions of the current weights on the whole test set (0 without one). */
  evaluate(): number {
    this.check();
    if (this.testN === 0) return 0;
    this.post(COMMAND.EVALUATE);
    const ok = this.guarded(() => this.instance.exports.evaluate(this.plan, 0));
    if (!ok) throw this.aborted();
    const at = this.field("EVAL_CORRECT") >> 2;
    let correct = 0;
    for (let t = 0; t < this.threads; t++) correct += this.instance.i32[at + t]!;
    return correct;
  }

  /**
   * The predicted class of every test example under the current weights (the argmax `evaluate` counts
   * with), in file order, and how many are correct.
   */
  predictTest(): { predictions: Int32Array; correct: number } {
    this.check();
    if (this.testN === 0) return { predictions: new Int32Array(0), correct: 0 };
    const mark = this.instance.mark();
    const at = this.instance.alloc(this.testN * 4);
    this.setField("PREDICTIONS", at);
    try {
      const correct = this.evaluate();
      return { predictions: this.instance.i32.slice(at >> 2, (at >> 2) + this.testN), correct };
    } finally {
      this.setField("PREDICTIONS", 0);
      this.instance.release(mark);
    }
  }

  /** Examples in the test set. */
  get testSize(): number {
    return this.testN;
  }

  /** Whether the module times its phases (a clock read per phase per shard: leave off when benchmarking). */
  get profile(): boolean {
    return this.field("PROFILE") !== 0;
  }

  set profile(on: boolean) {
    this.setField("PROFILE", on ? 1 : 0);
  }

  /** Per-thread milliseconds per phase since the last reset (all zero unless `profile` is on). */
  phaseTimes(): PhaseTimes[] {
    const f64 = this.instance.f64;
    const base = this.field("TIMES") >> 3;
    return Array.from({ length: this.threads }, (_, t) =>
      Object.fromEntries(PHASES.map((phase, p) => [phase, f64[base + t * 8 + p]!])) as PhaseTimes);
  }

  resetPhaseTimes(): void {
    const base = this.field("TIMES") >> 3;
    this.instance.f64.fill(0, base, base + MAX_THREADS * 8);
  }

  /** Stops the helper threads. The trainer cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.team !== null) {
      this.post(COMMAND.EXIT);
      await this.team.close();
    }
  }
}
