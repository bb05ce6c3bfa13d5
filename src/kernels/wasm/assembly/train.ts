// AssemblyScript: the resident training loop — every thread runs the same code on one shared memory.
// Each batch is cut into a fixed number of shards, which the threads take in turn; a barrier; then
// every thread updates its own copy of Wᵀ and b from the shards' gradients summed in shard order. The copies
// stay equal bit for bit, so one barrier per batch suffices, and results do not depend on T.

import { dotColumnsT, dotRows } from "./matmul";
import { argmaxRow, crossEntropyStep } from "./softmax";
import { gatherRows, SCALE_NONE } from "./gather";
import { updateFromParts } from "./vector";

// @ts-ignore: decorator
@external("env", "now") declare function now(): f64;

// The plan: one block of fields written by the host before a run (byte offsets; i32 unless noted).
const IMAGES = 0, LABELS = 4, LEN = 8, STRIDE = 12, CLASSES = 16, WT = 20, BIAS = 24, ORDER = 28, STARTS = 32;
const THREADS = 36, SHARDS = 40, SHARD_BASE = 44, SHARD_BYTES = 48, SHARD_ROWS = 52;
const OFF_X = 56, OFF_Y = 60, OFF_LOGITS = 64, OFF_DLOGITS = 68, OFF_DW = 76, OFF_DB = 80, OFF_STATS = 88; // 72, 84: free
const BATCH_LOSS = 92, BATCH_CORRECT = 96, BARRIER = 100;
const TEST_IMAGES = 108, TEST_LABELS = 112, TEST_N = 116, EVAL_CORRECT = 120, PROFILE = 124, TIMES = 128;
const SCALE = 136, LR = 144; // f64
const SCRATCH_BASE = 152, SCRATCH_BYTES = 156, PARAMS_BYTES = 160;
// How the evaluation's gather scales pixels exactly (the host's pixelScale): mode, then hi and lo (f64).
const EVAL_SCALE_MODE = 164, EVAL_SCALE_HI = 168, EVAL_SCALE_LO = 176;
// Where the evaluation writes each test example's predicted class (i32), or 0 for nowhere.
const PREDICTIONS = 184;
/** Bytes of the plan block. */
export const PLAN_BYTES: i32 = 192;

// Phases timed when profiling (milliseconds, summed per thread at TIMES + thread·64 + phase·8).
const T_GATHER = 0, T_FORWARD = 1, T_LOSS = 2, T_GRADIENT = 3, T_WAIT = 4, T_UPDATE = 5, T_EVALUATE = 6;

// The barrier block: arrivals, generation, abort flag; on the next cache line, the shard counters of even
// and odd batches, and the evaluation's chunk counter.
const B_COUNT = 0, B_GEN = 4, B_ABORT = 8, B_NEXT = 64, B_CHUNK = 72;
/**
 * Milliseconds a thread spins at a barrier before it sleeps. Waking a sleeping thread takes tens of
 * microseconds or more on a virtual machine, paid at every one of the 235 barriers of an epoch (measured: a
 * third of the epoch at 2¹⁴ spins); spinning much longer than a batch's imbalance (≈ 10 µs of ≈ 120) wastes
 * the core when the other thread has been descheduled (measured: epochs 8× longer at 2²⁰ spins with a third
 * process running). 0.1 ms covers the first and bounds the second.
 */
const SPIN_MS: f64 = 0.1;

// @ts-ignore: decorator
@inline function i32At(plan: usize, field: i32): i32 { return load<i32>(plan + <usize>field); }
// @ts-ignore: decorator
@inline function ptrAt(plan: usize, field: i32): usize { return <usize>load<i32>(plan + <usize>field); }

/** Adds the time since `since` to phase `phase` of `thread` when profiling; returns the new time. */
function lap(plan: usize, thread: i32, phase: i32, since: f64): f64 {
  if (!i32At(plan, PROFILE)) return 0;
  const t = now();
  const slot = ptrAt(plan, TIMES) + (<usize>thread << 6) + (<usize>phase << 3);
  store<f64>(slot, load<f64>(slot) + (t - since));
  return t;
}

/**
 * Waits until all `threads` threads have arrived. Spins first for SPIN_MS (the other thread is usually
 * microseconds away), then sleeps. Returns false when a thread has aborted (its host caught an error).
 */
function barrier(bar: usize, threads: i32): bool {
  // The SIMD-only build (no threads feature) always runs alone: no atomics are compiled into it.
  if (!ASC_FEATURE_THREADS || threads <= 1) return true;
  const gen = atomic.load<i32>(bar, B_GEN);
  if (atomic.add<i32>(bar, 1, B_COUNT) == threads - 1) {
    atomic.store<i32>(bar, 0, B_COUNT);
    atomic.store<i32>(bar, gen + 1, B_GEN);
    atomic.notify(bar + B_GEN);
  } else {
    let spins = 0;
    let until: f64 = 0;
    while (atomic.load<i32>(bar, B_GEN) == gen) {
      if (atomic.load<i32>(bar, B_ABORT)) return false;
      // The clock is an import call: read it every 256 spins.
      if ((++spins & 255) == 0) {
        const t = now();
        if (until == 0) until = t + SPIN_MS;
        else if (t > until) atomic.wait<i32>(bar + B_GEN, gen, 10_000_000);
      }
    }
  }
  return atomic.load<i32>(bar, B_ABORT) == 0;
}

/**
 * The next piece of work (a shard of a batch, a chunk of the test set) for this thread: after `previous`
 * (−1 at first) when it works alone, else the next number from `counter`. The caller stops once it is past
 * the last piece.
 */
// @ts-ignore: decorator
@inline function takeTurn(counter: usize, threads: i32, previous: i32): i32 {
  if (ASC_FEATURE_THREADS) {
    if (threads > 1) return atomic.add<i32>(counter, 1);
  }
  return previous + 1;
}

/** Sets `counter` back to 0 for its next use (by one thread, once every thread is done taking turns). */
// @ts-ignore: decorator
@inline function resetTurns(counter: usize): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(counter, 0);
}

/** The counter of batch b's shards: one per batch parity. */
// @ts-ignore: decorator
@inline function shardCounter(bar: usize, b: i32): usize {
  return bar + B_NEXT + (<usize>(b & 1) << 2);
}

/** Exposed so a host thread can meet the others at the barrier (tests, and the host's own sync points). */
export function meet(plan: usize): bool {
  return barrier(ptrAt(plan, BARRIER), i32At(plan, THREADS));
}

/** This thread's copy of Wᵀ (WT is thread 0's; each next thread's lies PARAMS_BYTES further). */
// @ts-ignore: decorator
@inline function weightsOf(plan: usize, thread: i32): usize {
  return ptrAt(plan, WT) + <usize>thread * ptrAt(plan, PARAMS_BYTES);
}

/** This thread's copy of b. */
// @ts-ignore: decorator
@inline function biasOf(plan: usize, thread: i32): usize {
  return ptrAt(plan, BIAS) + <usize>thread * ptrAt(plan, PARAMS_BYTES);
}

/** The block of shard s of batch b: two sets of shard blocks, used by alternate batches. */
// @ts-ignore: decorator
@inline function shardOf(plan: usize, batch: i32, s: i32): usize {
  return ptrAt(plan, SHARD_BASE) + <usize>((batch & 1) * i32At(plan, SHARDS) + s) * ptrAt(plan, SHARD_BYTES);
}

/** This thread's scratch block: X, y, logits and dlogits of the shard (or test chunk) it works on. */
// @ts-ignore: decorator
@inline function scratchOf(plan: usize, thread: i32): usize {
  return ptrAt(plan, SCRATCH_BASE) + <usize>thread * ptrAt(plan, SCRATCH_BYTES);
}

/**
 * One shard: rows order[from, to) of the training set. Gathers X and y, logits = X·Wᵀ + b, counts the
 * correct argmaxes, loss and dlogits = softmax − onehot, db_s = Σ_rows dlogits and dWᵀ_s = dlogitsᵀ·X.
 * X and the other row buffers are the thread's (one set, reused shard after shard, so they stay in the
 * core's cache); only the gradients and the stats belong to the shard.
 */
function shardGradient(plan: usize, thread: i32, shard: usize, from: i32, to: i32): void {
  const len = i32At(plan, LEN), stride = i32At(plan, STRIDE), C = i32At(plan, CLASSES);
  const count = to - from;
  const scratch = scratchOf(plan, thread);
  const X = scratch + ptrAt(plan, OFF_X), y = scratch + ptrAt(plan, OFF_Y);
  const logits = scratch + ptrAt(plan, OFF_LOGITS), dl = scratch + ptrAt(plan, OFF_DLOGITS);
  const stats = shard + ptrAt(plan, OFF_STATS);
  let t = lap(plan, thread, T_GATHER, i32At(plan, PROFILE) ? now() : 0);
  // X holds the raw pixel values p; the pixel scale s is applied to the products instead of to every
  // pixel: logits = s·(P·Wᵀ) + b, and the weight gradient s·Pᵀ·G is scaled in the update.
  gatherRows(ptrAt(plan, IMAGES), len, ptrAt(plan, ORDER), from, count, X, stride, 1, 0, SCALE_NONE, ptrAt(plan, LABELS), y);
  t = lap(plan, thread, T_GATHER, t);
  dotRows(X, weightsOf(plan, thread), biasOf(plan, thread), logits, count, stride, C, <f32>load<f64>(plan + SCALE));
  t = lap(plan, thread, T_FORWARD, t);
  // dlogits = softmax − onehot, db_s = Σ_rows dlogits, and the shard's loss sum and correct count.
  crossEntropyStep(logits, y, dl, shard + ptrAt(plan, OFF_DB), stats, count, C);
  t = lap(plan, thread, T_LOSS, t);
  dotColumnsT(X, dl, shard + ptrAt(plan, OFF_DW), count, stride, C, stride);
  lap(plan, thread, T_GRADIENT, t);
}

/**
 * Trains on batches [first, last) of the plan (batch b is order[starts[b], starts[b+1])), as thread
 * `thread` of the plan's threads. Per batch: the shards this thread takes, barrier, then the update of this thread's
 * copy of Wᵀ and b (thread 0 also records the batch's loss sum and correct count). Batch b's shards use the
 * shard blocks of parity b & 1: a thread may start batch b + 1 while another still reads batch b's, but not
 * batch b + 2 before every thread has finished batch b's update (it must pass batch b + 1's barrier first).
 * A last barrier keeps every copy final before the host reads thread 0's or writes them all.
 * Returns −1 when done, the index of a batch whose loss is not finite (nothing updated from it),
 * or −2 when another thread aborted.
 */
export function trainBatches(plan: usize, thread: i32, first: i32, last: i32): i32 {
  const T = i32At(plan, THREADS), S = i32At(plan, SHARDS), C = i32At(plan, CLASSES), stride = i32At(plan, STRIDE);
  const starts = ptrAt(plan, STARTS), shardBytes = ptrAt(plan, SHARD_BYTES);
  const bar = ptrAt(plan, BARRIER), lr = load<f64>(plan + LR);
  const W = weightsOf(plan, thread), bias = biasOf(plan, thread);
  for (let b = first; b < last; b++) {
    const start = load<i32>(starts + (<usize>b << 2)), count = load<i32>(starts + (<usize>(b + 1) << 2)) - start;
    // Shards are taken in turn from the batch's counter, so a thread that runs ahead takes more of them (a
    // virtual machine's cores often run at different speeds for seconds at a time); which thread computes a
    // shard changes no number.
    for (let s = takeTurn(shardCounter(bar, b), T, -1); s < S; s = takeTurn(shardCounter(bar, b), T, s)) {
      const from = start + <i32>((<i64>count * s) / S), to = start + <i32>((<i64>count * (s + 1)) / S);
      shardGradient(plan, thread, shardOf(plan, b, s), from, to);
    }
    let t = i32At(plan, PROFILE) ? now() : 0;
    if (!barrier(bar, T)) return -2;
    t = lap(plan, thread, T_WAIT, t);
    // Every thread has taken its last shard of batch b: the counter is free for batch b + 2, which no thread
    // can start before thread 0 has met the others at batch b + 1's barrier.
    if (thread == 0) resetTurns(shardCounter(bar, b));
    // Every thread sums the shards' losses in shard order, so all agree on whether to stop.
    const shards = shardOf(plan, b, 0);
    let lossSum: f64 = 0;
    let correct = 0;
    for (let s = 0; s < S; s++) {
      const stats = shards + <usize>s * shardBytes + ptrAt(plan, OFF_STATS);
      lossSum += load<f64>(stats);
      correct += load<i32>(stats, 8);
    }
    if (!isFinite(lossSum)) return b;
    // param −= lr · grad / B, grad = Σ_s grad_s (shard order); the weight gradients still lack the pixel scale.
    const alpha = -lr / count;
    updateFromParts(W, shards + ptrAt(plan, OFF_DW), shardBytes, S, alpha * load<f64>(plan + SCALE), 0, C * stride);
    updateFromParts(bias, shards + ptrAt(plan, OFF_DB), shardBytes, S, alpha, 0, C);
    if (thread == 0) {
      store<f64>(ptrAt(plan, BATCH_LOSS) + (<usize>b << 3), lossSum);
      store<i32>(ptrAt(plan, BATCH_CORRECT) + (<usize>b << 2), correct);
    }
    lap(plan, thread, T_UPDATE, t);
  }
  const t = i32At(plan, PROFILE) ? now() : 0;
  if (!barrier(bar, T)) return -2;
  lap(plan, thread, T_WAIT, t);
  return -1;
}

/**
 * Counts the test examples the current weights classify correctly, as thread `thread`: the test set is
 * cut into chunks of the shard capacity (SHARD_ROWS), which the threads take in turn. Writes this thread's count at
 * EVAL_CORRECT[thread] (and each example's predicted class at PREDICTIONS, when set), then meets the other
 * threads. Returns false when another thread aborted.
 * Unlike training, the pixels are scaled before the product (fround(p · scale), computed exactly by the
 * gather mode the host chose, then X·Wᵀ + b): the very
 * arithmetic of the Kernels' gather, matmul and add (multiply-adds fused in the relaxed build, as the Kernels
 * on that build fuse them), so when the row length needs no padding (LEN = STRIDE) every logit, hence every
 * prediction, is bit for bit the tensor path's on the Kernels of the same build. A row's value does not
 * depend on which rows share its call, so the chunking does not matter either.
 */
export function evaluate(plan: usize, thread: i32): bool {
  const T = i32At(plan, THREADS), C = i32At(plan, CLASSES), len = i32At(plan, LEN), stride = i32At(plan, STRIDE);
  const n = i32At(plan, TEST_N), chunk = i32At(plan, SHARD_ROWS);
  const scratch = scratchOf(plan, thread);
  const X = scratch + ptrAt(plan, OFF_X), y = scratch + ptrAt(plan, OFF_Y), logits = scratch + ptrAt(plan, OFF_LOGITS);
  const predictions = ptrAt(plan, PREDICTIONS);
  const bar = ptrAt(plan, BARRIER);
  let t = i32At(plan, PROFILE) ? now() : 0;
  let correct = 0;
  // Chunks are taken in turn, as training's shards are: the counts are summed and each prediction has its
  // own slot, so which thread evaluates a chunk changes nothing.
  for (let c = takeTurn(bar + B_CHUNK, T, -1); <i64>c * chunk < n; c = takeTurn(bar + B_CHUNK, T, c)) {
    const from = c * chunk;
    const count = min(chunk, n - from);
    gatherRows(
      ptrAt(plan, TEST_IMAGES), len, 0, from, count, X, stride,
      load<f64>(plan + EVAL_SCALE_HI), load<f64>(plan + EVAL_SCALE_LO), i32At(plan, EVAL_SCALE_MODE), ptrAt(plan, TEST_LABELS), y,
    );
    dotRows(X, weightsOf(plan, thread), biasOf(plan, thread), logits, count, stride, C, 1);
    for (let r = 0; r < count; r++) {
      const predicted = argmaxRow(logits + (<usize>(r * C) << 2), C);
      if (predicted == load<i32>(y + (<usize>r << 2))) correct++;
      if (predictions) store<i32>(predictions + (<usize>(from + r) << 2), predicted);
    }
  }
  store<i32>(ptrAt(plan, EVAL_CORRECT) + (<usize>thread << 2), correct);
  lap(plan, thread, T_EVALUATE, t);
  if (!barrier(bar, T)) return false;
  // Every thread is done taking chunks; the next evaluation is posted only after thread 0 (the host) returns.
  if (thread == 0) resetTurns(bar + B_CHUNK);
  return true;
}
