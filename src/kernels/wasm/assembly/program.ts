// AssemblyScript: runs a compiled training step (../compiledStep.ts) — a list of commands, each a kernel
// call on addresses in this memory. Commands that work row by row run on a tile of the batch's rows [r0, r1),
// so that one tile's gather, forward, loss, backward and gradient shard follow each other while its rows are
// in cache, and tiles can run on different threads; the others run on all their rows at once.
// Every command computes what the Kernels call it was recorded from computes, bit for bit.

import { dotColumnsT, dotRows, sumShards, transpose } from "./matmul";
import { expInPlace, maxAxis, softmaxCrossEntropy } from "./softmax";
import { gatherRows } from "./gather";
import { axpy, binary2d, sumAxis } from "./vector";

// @ts-ignore: decorator
@external("env", "log") declare function hostLog(x: f64): f64;

/** Bytes per command: OPERANDS f64 slots, the first the opcode (addresses and sizes are exact in f64). */
export const COMMAND_BYTES: i32 = 128;

// Opcodes; must match OP in ../compiledStep.ts.
const GATHER = 1, DOT = 2, GRADIENT_SHARD = 3, SHARD_SUM = 4, BINARY = 5, UNARY = 6, EXPAND = 7;
const SUM = 8, MAX = 9, PICK = 10, SCATTER_ADD = 11, SOFTMAX_CE = 12, AXPY = 13, TRANSPOSE = 14;
// Unary operations (UNARY's first operand).
const NEG = 0, EXP = 1, LOG = 2;

// @ts-ignore: decorator
@inline function slot(c: usize, i: i32): f64 { return load<f64>(c + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function at(c: usize, i: i32): usize { return <usize>load<f64>(c + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function int(c: usize, i: i32): i32 { return <i32>load<f64>(c + (<usize>i << 3)); }

/**
 * Runs `count` commands from `list` on rows [r0, r1) of the batch, or, with r1 < 0, each on all the rows it
 * was recorded with. `scratch` is this thread's block: the tile's gathered rows at 0, float64 sums after.
 */
export function runCommands(list: usize, count: i32, r0: i32, r1: i32, scratch: usize): void {
  for (let i = 0; i < count; i++) runCommand(list + <usize>i * COMMAND_BYTES, r0, r1, scratch);
}

function runCommand(c: usize, r0: i32, r1: i32, scratch: usize): void {
  const op = int(c, 0);
  // Row-wise commands keep their row count in slot 1; a tile moves every row-wise operand by r0 rows.
  const whole = r1 < 0;
  const first = whole ? 0 : r0;
  const rows = whole ? int(c, 1) : r1 - r0;
  switch (op) {
    case GATHER: {
      // slots: rows, table, row length, row indices (i32), hi, lo, mode
      gatherRows(at(c, 2), int(c, 3), at(c, 4), first, rows, scratch, int(c, 3), slot(c, 5), slot(c, 6), int(c, 7), 0, 0);
      break;
    }
    case DOT: {
      // slots: rows, bᵀ [n, k], out [rows, n], k, n — a tile's gathered rows times bᵀ
      const k = int(c, 4), n = int(c, 5);
      dotRows(scratch, at(c, 2), 0, at(c, 3) + (<usize>first * n << 2), rows, k, n, 1);
      break;
    }
    case GRADIENT_SHARD: {
      // slots: rows, g [rows, n], shards base, k, n, shard rows — the tile is one shard
      const k = int(c, 4), n = int(c, 5), shard = first / int(c, 6);
      dotColumnsT(scratch, at(c, 2) + (<usize>first * n << 2), at(c, 3) + (<usize>shard * n * k << 2), rows, k, n, k);
      break;
    }
    case SHARD_SUM: {
      // slots: -, shards base, shard count, out [k, n], k, n
      sumShards(at(c, 2), int(c, 3), at(c, 4), int(c, 6), int(c, 5));
      break;
    }
    case BINARY: {
      // slots: rows, op, a, ar, ac, b, br, bc, out, n
      const ar = int(c, 4), br = int(c, 7), n = int(c, 10);
      binary2d(int(c, 2), at(c, 3) + (<usize>first * ar << 2), ar, int(c, 5), at(c, 6) + (<usize>first * br << 2), br, int(c, 8),
        at(c, 9) + (<usize>first * n << 2), rows, n);
      break;
    }
    case UNARY: {
      // slots: rows, op, x, out, row length
      const len = int(c, 5), offset = <usize>first * len << 2, n = rows * len;
      unary(int(c, 2), at(c, 3) + offset, at(c, 4) + offset, n);
      break;
    }
    case EXPAND: {
      // slots: rows, x, xr, xc, out, n — out[i, j] = x[i·xr + j·xc]
      const xr = int(c, 3), xc = int(c, 4), n = int(c, 6);
      expand(at(c, 2) + (<usize>first * xr << 2), xr, xc, at(c, 5) + (<usize>first * n << 2), rows, n);
      break;
    }
    case SUM: {
      // slots: rows (outer), x, out, len, inner
      const len = int(c, 4), inner = int(c, 5);
      sumAxis(at(c, 2) + (<usize>first * len * inner << 2), at(c, 3) + (<usize>first * inner << 2), scratchSums(c, scratch), rows, len, inner);
      break;
    }
    case MAX: {
      // slots: rows (outer), x, out, indices, len, inner
      const len = int(c, 5), inner = int(c, 6), o = <usize>first * inner << 2;
      maxAxis(at(c, 2) + (<usize>first * len * inner << 2), at(c, 3) + o, at(c, 4) + o, rows, len, inner);
      break;
    }
    case PICK: {
      // slots: rows (outer), x, indices, out, len, inner
      const len = int(c, 5), inner = int(c, 6), o = <usize>first * inner << 2;
      pick(at(c, 2) + (<usize>first * len * inner << 2), at(c, 3) + o, at(c, 4) + o, rows, len, inner);
      break;
    }
    case SCATTER_ADD: {
      // slots: rows (outer), src, indices, out, len, inner
      const len = int(c, 5), inner = int(c, 6), o = <usize>first * inner << 2;
      scatterAdd(at(c, 2) + o, at(c, 3) + o, at(c, 4) + (<usize>first * len * inner << 2), rows, len, inner);
      break;
    }
    case SOFTMAX_CE: {
      // slots: rows, logits, labels, loss, dlogits (0: none), work, cols
      const cols = int(c, 7), row = <usize>first * cols << 2, d = at(c, 5);
      softmaxCrossEntropy(at(c, 2) + row, at(c, 3) + (<usize>first << 2), at(c, 4) + (<usize>first << 2), d ? d + row : 0,
        at(c, 6) + row, rows, cols);
      break;
    }
    case AXPY: {
      // slots: -, alpha, x, y, n
      axpy(slot(c, 2), at(c, 3), at(c, 4), int(c, 5));
      break;
    }
    case TRANSPOSE: {
      // slots: -, x, out, rows, cols
      transpose(at(c, 2), at(c, 3), int(c, 4), int(c, 5));
      break;
    }
    default:
      unreachable();
  }
}

/** Where SUM keeps its float64 running sums: after the tile's gathered rows in this thread's block. */
// @ts-ignore: decorator
@inline function scratchSums(c: usize, scratch: usize): usize {
  return scratch + at(c, 6);
}

/** out[i] = op(x[i]) for i < n, as the Kernels' unary computes it (exp: the module's; log: the host's Math.log). */
function unary(op: i32, x: usize, out: usize, n: i32): void {
  if (op == EXP) {
    // expInPlace works four lanes at a time: the compiled step's arrays are padded to whole vectors, and a
    // tile's rows hold a multiple of four values except at the array's end.
    if (out != x) memory.copy(out, x, <usize>n << 2);
    expInPlace(out, n);
  } else if (op == NEG) {
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), f32x4.neg(v128.load(x + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(out + (<usize>i << 2), -load<f32>(x + (<usize>i << 2)));
  } else {
    for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>hostLog(<f64>load<f32>(x + (<usize>i << 2))));
  }
}

/** out[i, j] = x[i·xr + j·xc] for out [m, n]: the Kernels' expand on two axes (a row's value repeated, a row copied, or any strides). */
function expand(x: usize, xr: i32, xc: i32, out: usize, m: i32, n: i32): void {
  // One value for all (backward's seed): one row of m·n.
  if (m > 1 && xr == 0 && (xc == 0 || n == 1)) { n *= m; m = 1; xc = 0; }
  for (let i = 0; i < m; i++) {
    const xi = x + (<usize>(i * xr) << 2), oi = out + (<usize>(i * n) << 2);
    if (xc == 0) {
      const v = load<f32>(xi), s = f32x4.splat(v);
      let j = 0;
      for (; j + 4 <= n; j += 4) v128.store(oi + (<usize>j << 2), s);
      for (; j < n; j++) store<f32>(oi + (<usize>j << 2), v);
    } else if (xc == 1) memory.copy(oi, xi, <usize>n << 2);
    else for (let j = 0; j < n; j++) store<f32>(oi + (<usize>j << 2), load<f32>(xi + (<usize>(j * xc) << 2)));
  }
}

/** out[o, i] = x[o, indices[o, i], i] for x [outer, len, inner]. */
function pick(x: usize, indices: usize, out: usize, outer: i32, len: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const k = o * inner + i;
      const l = load<i32>(indices + (<usize>k << 2));
      store<f32>(out + (<usize>k << 2), load<f32>(x + (<usize>((o * len + l) * inner + i) << 2)));
    }
  }
}

/** out[o, indices[o, i], i] += src[o, i], in the order of o then i (one float32 rounding each, as the reference). */
function scatterAdd(src: usize, indices: usize, out: usize, outer: i32, len: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const k = o * inner + i;
      const p = out + (<usize>((o * len + load<i32>(indices + (<usize>k << 2))) * inner + i) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>k << 2)));
    }
  }
}
