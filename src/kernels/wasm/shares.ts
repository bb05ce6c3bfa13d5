// Shares of the Kernels' two gathered products, as any thread runs them: the forward X·W by rows (each thread
// gathers and multiplies its own), the weight gradient Xᵀ·G by shards of SHARD_ROWS rows, each summed apart,
// then added in shard order. The shards do not depend on the thread count: every count gives the same bits.

import type { KernelExports } from "./module.ts";

/** Rows gathered and multiplied at a time in the forward product: 32 × 784 floats fit the L1/L2 caches. A multiple of 4. */
export const BLOCK_ROWS = 32;

/**
 * Rows per shard of the weight gradient, and the unit threads split the forward rows by, so that a thread's
 * gradient shards are the rows it gathered (still in its core's cache). A multiple of BLOCK_ROWS.
 */
export const SHARD_ROWS = 64;

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
 * Shards [from, to) of the weight gradient for a [m, k], b [m, n]: shard s writes (a_sᵀ·b_s)ᵀ [n, k] for its
 * rows s·SHARD_ROWS … to `out` + s · n · k floats (the caller adds the shards up, in order).
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

export type Share = ForwardShare | GradientShare;

/** The number of gradient shards of an m-row batch. */
export function shardCount(m: number): number {
  return Math.max(1, Math.ceil(m / SHARD_ROWS));
}

/** Runs items [from, to) of `share` (rows of the forward, shards of the gradient) on this thread's instance. */
export function runShare(k: KernelExports, share: Share, from: number, to: number): void {
  if (share.kind === "gradient") {
    const { a, b, out, m, k: len, n } = share;
    for (let s = from; s < to; s++) {
      const first = s * SHARD_ROWS, rows = Math.min(SHARD_ROWS, m - first);
      k.dotColumnsT(a + first * len * 4, b + first * n * 4, out + s * n * len * 4, rows, len, n, len);
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
 * Where thread t of `threads` starts in `share` of `total` items: the forward's rows split by whole shards,
 * the gradient's shards one by one, the same way, so that each thread's shards are the rows it gathered.
 */
export function shareStart(share: Share, total: number, t: number, threads: number): number {
  if (t >= threads) return total;
  const unit = share.kind === "forward" ? SHARD_ROWS : 1;
  return Math.min(total, Math.floor((t * Math.ceil(total / unit)) / threads) * unit);
}

// A helper's share block: f64 slots (addresses and sizes are exact), then its done counter (i32).
const SLOT = { KIND: 0, A: 1, B: 2, OUT: 3, K: 4, N: 5, M: 6, TABLE: 7, ROWS: 8, HI: 9, LO: 10, MODE: 11, FROM: 12, TO: 13 } as const;
export const DONE_BYTE = 120;
export const SHARE_BYTES = 128;

/** The host side: writes items [from, to) of `share` into the share block at byte address `at` (see runPostedShare). */
export function postShare(f64: Float64Array, at: number, share: Share, from: number, to: number): void {
  const slot = at >> 3;
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
  f64[slot + SLOT.FROM] = from;
  f64[slot + SLOT.TO] = to;
}

/** The helper side: runs the share posted to thread `thread` (block `base` + thread · SHARE_BYTES), then counts it done. */
export function runPostedShare(k: KernelExports, memory: WebAssembly.Memory, base: number, thread: number): void {
  const at = base + thread * SHARE_BYTES;
  const f64 = new Float64Array(memory.buffer, at, DONE_BYTE >> 3);
  const share: Share =
    f64[SLOT.KIND] === 1
      ? { kind: "forward", table: f64[SLOT.TABLE]!, rows: f64[SLOT.ROWS]!, a: f64[SLOT.A]!, b: f64[SLOT.B]!, out: f64[SLOT.OUT]!,
          k: f64[SLOT.K]!, n: f64[SLOT.N]!, hi: f64[SLOT.HI]!, lo: f64[SLOT.LO]!, mode: f64[SLOT.MODE]! }
      : { kind: "gradient", a: f64[SLOT.A]!, b: f64[SLOT.B]!, out: f64[SLOT.OUT]!, m: f64[SLOT.M]!, k: f64[SLOT.K]!, n: f64[SLOT.N]! };
  runShare(k, share, f64[SLOT.FROM]!, f64[SLOT.TO]!);
  Atomics.add(new Int32Array(memory.buffer, at + DONE_BYTE, 1), 0, 1);
}

