// Shares of the Kernels' two gathered products, as any thread runs them: the forward X·W by blocks of rows
// (each thread gathers and multiplies its own), the weight gradient Xᵀ·G by shards of SHARD_ROWS rows, each
// summed apart (in COLUMN_PARTS parts of its columns), then added in shard order. Threads take the blocks and
// parts in turn from a shared counter, so a thread that runs ahead takes more, and the last one taken is short;
// which thread runs which changes no number, so every thread count gives the same bits.

import type { KernelExports } from "./module.ts";

/** Rows gathered and multiplied at a time in the forward product (a multiple of 4): in cache while multiplied, and short to wait for. */
export const BLOCK_ROWS = 16;

/** Rows per shard of the weight gradient. */
export const SHARD_ROWS = 64;

/**
 * Parts of a shard's columns, each taken as one item. They start at multiples of 16 columns (dotColumnsT's
 * widest step), so each part computes its columns as the whole call would.
 */
export const COLUMN_PARTS = 4;

/**
 * The forward product's rows: gathers rows [from, to) of the batch (indices `rows`) from the uint8 table into
 * `a` (row length k), and multiplies them by `b` (Wᵀ [n, k]) into `out` [rows, n], a block at a time while it is in cache.
 */
export interface ForwardShare {
  kind: "forward";
  table: number;
  rows: number; // the batch's row indices (i32) in the memory
  a: number;
  b: number;
  out: number;
  k: number;
  n: number;
  hi: number;
  lo: number;
  mode: number;
}

/**
 * Items [from, to) of the weight gradient for a [m, k], b [m, n], item i being part i % COLUMN_PARTS of shard
 * ⌊i / COLUMN_PARTS⌋: shard s writes (a_sᵀ·b_s)ᵀ [n, k] for its rows s·SHARD_ROWS … to `out` + s · n · k floats
 * (the caller adds the shards up, in order).
 */
export interface GradientShare {
  kind: "gradient";
  a: number;
  b: number;
  out: number;
  m: number;
  k: number;
  n: number;
}

/**
 * Tiles [from, to) of a compiled step (compiledStep.ts): tile t runs the `count` commands at `list` on rows
 * [t · tileRows, min(rows, (t + 1) · tileRows)) of the batch, with thread t's scratch block.
 */
export interface TileShare {
  kind: "tiles";
  list: number;
  count: number;
  rows: number;
  tileRows: number;
  scratch: number;
  scratchBytes: number;
}

export type Share = ForwardShare | GradientShare | TileShare;

/** The number of gradient shards of an m-row batch. */
export function shardCount(m: number): number {
  return Math.max(1, Math.ceil(m / SHARD_ROWS));
}

/** The number of items of the weight gradient of an m-row batch. */
export function gradientItems(m: number): number {
  return shardCount(m) * COLUMN_PARTS;
}

/** The first column of part p of k columns (k for p = COLUMN_PARTS): a multiple of 16, or k. */
function partColumn(p: number, k: number): number {
  return Math.min(k, 16 * Math.floor((p * Math.ceil(k / 16)) / COLUMN_PARTS));
}

/** Runs items [from, to) of `share` (rows of the forward, items of the gradient, tiles) on thread `thread`'s instance. */
export function runShare(k: KernelExports, share: Share, from: number, to: number, thread = 0): void {
  if (share.kind === "tiles") {
    const { list, count, rows, tileRows } = share, scratch = share.scratch + thread * share.scratchBytes;
    for (let t = from; t < to; t++) k.runCommands(list, count, t * tileRows, Math.min(rows, (t + 1) * tileRows), scratch);
    return;
  }
  if (share.kind === "gradient") {
    const { a, b, out, m, k: len, n } = share;
    for (let i = from; i < to; ) {
      // The parts of one shard in [from, to), in one call.
      const s = Math.floor(i / COLUMN_PARTS), p0 = i % COLUMN_PARTS, p1 = Math.min(COLUMN_PARTS, p0 + to - i);
      const first = s * SHARD_ROWS, c0 = partColumn(p0, len), c1 = partColumn(p1, len);
      if (c1 > c0) k.dotColumnsT(a + (first * len + c0) * 4, b + first * n * 4, out + (s * n * len + c0) * 4, Math.min(SHARD_ROWS, m - first), c1 - c0, n, len);
      i += p1 - p0;
    }
    return;
  }
  const { table, rows, a, b, out, k: len, n } = share;
  for (let first = from; first < to; first += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, to - first);
    const at = a + first * len * 4;
    k.gatherRows(table, len, rows, first, count, at, len, share.hi, share.lo, share.mode, 0, 0);
    k.dotRows(at, b, 0, out + first * n * 4, count, len, n, 1);
  }
}

/**
 * Runs items of `share` (of `total`: rows of the forward, items of the gradient) taken in turn from the
 * counter at byte `next` until none is left: blocks of BLOCK_ROWS rows of the forward, items of the gradient.
 * Every thread of a product runs this on the same counter, which the host zeroes first.
 */
export function runTakenItems(k: KernelExports, i32: Int32Array, next: number, share: Share, total: number, thread: number): void {
  const unit = share.kind === "forward" ? BLOCK_ROWS : 1;
  const items = Math.ceil(total / unit);
  for (let i = Atomics.add(i32, next >> 2, 1); i < items; i = Atomics.add(i32, next >> 2, 1)) {
    runShare(k, share, i * unit, Math.min(total, (i + 1) * unit), thread);
  }
}

// A helper's share block: f64 slots (addresses and sizes are exact), then two i32 words: the run it finished
// last, and the run posted to it with that run's state (see RUN).
const SLOT = { KIND: 0, A: 1, B: 2, OUT: 3, K: 4, N: 5, M: 6, TABLE: 7, ROWS: 8, HI: 9, LO: 10, MODE: 11, TOTAL: 12, NEXT: 13 } as const;
export const DONE_BYTE = 120;
export const RUN_BYTE = 124;
export const SHARE_BYTES = 128;

/**
 * The run word of a helper's share block: the run's number · 4 plus its state. The host posts a run (POSTED);
 * the helper joins it by compare-and-swap, or the host excuses it the same way once every item is taken, so
 * exactly one of them wins: a helper that was asleep or descheduled does not hold up the host, and cannot
 * wake into a run whose share it did not join.
 */
export const RUN = { POSTED: 0, JOINED: 1, EXCUSED: 2 } as const;

/** The host side: writes `share` of `total` and its counter's address `next` into the share block at byte address `at` (see runPostedShare). */
export function postShare(f64: Float64Array, at: number, share: Share, total: number, next: number): void {
  const slot = at >> 3;
  f64[slot + SLOT.TOTAL] = total;
  f64[slot + SLOT.NEXT] = next;
  if (share.kind === "tiles") {
    // A: the list, B: its count, OUT: the scratch blocks, K: a block's bytes, N: rows per tile, M: the batch's rows.
    f64[slot + SLOT.KIND] = 3;
    f64[slot + SLOT.A] = share.list;
    f64[slot + SLOT.B] = share.count;
    f64[slot + SLOT.OUT] = share.scratch;
    f64[slot + SLOT.K] = share.scratchBytes;
    f64[slot + SLOT.N] = share.tileRows;
    f64[slot + SLOT.M] = share.rows;
    return;
  }
  f64[slot + SLOT.KIND] = share.kind === "forward" ? 1 : 2;
  f64[slot + SLOT.A] = share.a;
  f64[slot + SLOT.B] = share.b;
  f64[slot + SLOT.OUT] = share.out;
  f64[slot + SLOT.K] = share.k;
  f64[slot + SLOT.N] = share.n;
  if (share.kind === "forward") {
    f64[slot + SLOT.TABLE] = share.table;
    f64[slot + SLOT.ROWS] = share.rows;
    f64[slot + SLOT.HI] = share.hi;
    f64[slot + SLOT.LO] = share.lo;
    f64[slot + SLOT.MODE] = share.mode;
  } else f64[slot + SLOT.M] = share.m;
}

/** The share written at `f64` (a share block), as postShare wrote it. */
function postedShare(f64: Float64Array): Share {
  switch (f64[SLOT.KIND]) {
    case 1:
      return { kind: "forward", table: f64[SLOT.TABLE]!, rows: f64[SLOT.ROWS]!, a: f64[SLOT.A]!, b: f64[SLOT.B]!, out: f64[SLOT.OUT]!,
        k: f64[SLOT.K]!, n: f64[SLOT.N]!, hi: f64[SLOT.HI]!, lo: f64[SLOT.LO]!, mode: f64[SLOT.MODE]! };
    case 2:
      return { kind: "gradient", a: f64[SLOT.A]!, b: f64[SLOT.B]!, out: f64[SLOT.OUT]!, m: f64[SLOT.M]!, k: f64[SLOT.K]!, n: f64[SLOT.N]! };
    default:
      return { kind: "tiles", list: f64[SLOT.A]!, count: f64[SLOT.B]!, scratch: f64[SLOT.OUT]!, scratchBytes: f64[SLOT.K]!, tileRows: f64[SLOT.N]!, rows: f64[SLOT.M]! };
  }
}

/**
 * The helper side: joins the run posted to thread `thread` (block `base` + thread · SHARE_BYTES) unless the
 * host has excused it, takes items of its share, then says the run is done.
 */
export function runPostedShare(k: KernelExports, memory: WebAssembly.Memory, base: number, thread: number): void {
  const at = base + thread * SHARE_BYTES;
  const i32 = new Int32Array(memory.buffer);
  const run = Atomics.load(i32, (at + RUN_BYTE) >> 2);
  if ((run & 3) !== RUN.POSTED || Atomics.compareExchange(i32, (at + RUN_BYTE) >> 2, run, run + RUN.JOINED) !== run) return;
  const f64 = new Float64Array(memory.buffer, at, DONE_BYTE >> 3);
  runTakenItems(k, i32, f64[SLOT.NEXT]!, postedShare(f64), f64[SLOT.TOTAL]!, thread);
  Atomics.store(i32, (at + DONE_BYTE) >> 2, run);
}
