// The "wasm-simd" Kernels: the training path's loops (products, softmax cross-entropy, gather, axpy,
// sums, max) run in the SIMD module; arrays are copied into its memory and results copied back out,
// except a gathered batch (GatheredRows), which is gathered straight into that memory and kept there,
// and a workspace's arrays, which live there. Binary ops on 1-D and 2-D layouts run in the module too;
// unary, expand, pick and scatterAdd stay the reference's.

import type { BinaryOp, GatheredRows, Kernels, RecordedStep, RowIndex, UnaryOp, Workspace, WorkspaceArray } from "../kernels.ts";
import { compileStep as compile } from "./compiledStep.ts";
import { ref } from "../ref.ts";
import { align16, KernelsInstance } from "./module.ts";
import type { ProductTeam } from "./productTeam.ts";
import { gatherMode, pixelScale } from "./scale.ts";
import { asTwoAxes } from "./twoAxes.ts";
import { gradientItems, runShare, shardCount, type Share } from "./shares.ts";

/**
 * Makes the Kernels set over one instance of the SIMD module (its memory is private to this set). On the
 * build with relaxed SIMD the products fuse their multiply-adds and the set is "wasm-relaxed-simd";
 * on the others they multiply then add, and it is "wasm-simd".
 * NOTE: expand/pick/scatterAdd, unary neg and log (and binary ops over 3 or more axes) delegate to `ref`:
 * those loops are memory-bound or short, and the copies would cost as much. Unary exp runs in the module
 * (within about an ulp of Math.exp, and a tenth of its time): the chapter's softmax takes one per logit.
 */
export function createWasmKernels(instance: KernelsInstance, team?: ProductTeam): Kernels {
  const k = instance.exports;
  // The memory, from the heap base up: the kept regions (the uint8 tables batches are gathered from, copied
  // in once each since a GatheredRows' table does not change, and the workspace slot), the last gathered
  // batch (the forward and backward products share it), then the scratch arena each call frees.
  const heapBase = instance.mark();
  let tables: { src: Uint8Array; at: number }[] = [];
  let keptTop = heapBase;
  /** Counts the times the kept regions were dropped (a third table evicts them all). */
  let generation = 0;
  let batch: { rows: GatheredRows; at: number; bytes: number } | null = null;
  let scratchBase = heapBase;
  // The largest batch region and scratch arena seen: what a workspace run reserves.
  let batchPeak = 0;
  let scratchPeak = 0;

  /** Runs `body` with a fresh scratch arena, freed afterwards. */
  function scratch<T>(body: () => T): T {
    instance.release(scratchBase);
    try {
      return body();
    } finally {
      scratchPeak = Math.max(scratchPeak, instance.mark() - scratchBase);
      instance.release(scratchBase);
    }
  }

  /** Whether `values` is a view of the memory (a workspace array): kernels use it where it is. */
  const resident = (values: ArrayBufferView): boolean => values.buffer === instance.u8.buffer;

  /** The address of `values`' first `length` floats: where they are if resident, else a copy in the scratch arena. */
  function copyIn(values: Float32Array, length: number): number {
    if (resident(values)) return values.byteOffset;
    const at = instance.alloc(length * 4);
    instance.f32.set(length === values.length ? values : values.subarray(0, length), at >> 2);
    return at;
  }

  /** Where a kernel writes `out`: in place if resident, else a scratch block for `copyOut`. */
  function outputAt(out: Float32Array | Int32Array, length: number): number {
    return resident(out) ? out.byteOffset : instance.alloc(length * 4);
  }

  /** Makes `out` hold the `length` floats at `at` (nothing to do when `at` is where it is). */
  function copyOut(at: number, out: Float32Array, length: number): void {
    if (!resident(out)) out.set(instance.f32.subarray(at >> 2, (at >> 2) + length));
    else if (out.byteOffset !== at) instance.f32.copyWithin(out.byteOffset >> 2, at >> 2, (at >> 2) + length);
  }

  /** Allocates a kept region above the others; the batch region and scratch arena move above it. */
  function allocKept(bytes: number): number {
    instance.release(keptTop);
    const at = instance.alloc(bytes);
    keptTop = scratchBase = instance.mark();
    batch = null;
    return at;
  }

  /** Runs items [0, total) of `share`: on the team's threads when there is one, else here. */
  function products(share: Share, total: number): void {
    if (team !== undefined) team.run(k, share, total);
    else runShare(k, share, 0, total);
  }

  /**
   * out = a·b for a[m, k] at `pa`; runs inside `scratch`. With `gathered`, the rows of `a` are not there yet:
   * they are gathered block by block, each block multiplied while it is in cache (rows are independent,
   * so the result is the same).
   */
  function times(
    pa: number, b: Float32Array, out: Float32Array, m: number, kk: number, n: number, gathered?: { x: GatheredRows; table: number },
  ): void {
    const pb = copyIn(b, kk * n), pbt = instance.alloc(n * kk * 4), pout = outputAt(out, m * n);
    // a·b = a·(bᵀ)ᵀ: rows of a against rows of bᵀ, both read along memory.
    k.transpose(pb, pbt, kk, n);
    if (gathered === undefined) k.dotRows(pa, pbt, 0, pout, m, kk, n, 1);
    else {
      const share = gatherShare(gathered.x, { at: pa, table: gathered.table });
      products({ kind: "forward", ...share, b: pbt, out: pout, n }, m);
      batch!.rows = gathered.x;
    }
    copyOut(pout, out, m * n);
  }

  /**
   * out = aᵀ·b for a[m, k] already at `pa`, summed by shards of rows (the same shards on any number of
   * threads), which are then added in order; runs inside `scratch`.
   */
  function transposedTimes(pa: number, b: Float32Array, out: Float32Array, m: number, kk: number, n: number): void {
    const shards = shardCount(m), size = n * kk;
    const pb = copyIn(b, m * n), poutT = instance.alloc(shards * size * 4), pout = outputAt(out, size);
    products({ kind: "gradient", a: pa, b: pb, out: poutT, m, k: kk, n }, gradientItems(m));
    k.sumShards(poutT, shards, pout, n, kk);
    copyOut(pout, out, size);
  }

  function matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, kk: number, n: number): void {
    scratch(() => times(copyIn(a, m * kk), b, out, m, kk, n));
  }

  function matmulAtB(a: Float32Array, b: Float32Array, out: Float32Array, m: number, kk: number, n: number): void {
    scratch(() => transposedTimes(copyIn(a, m * kk), b, out, m, kk, n));
  }

  function matmulABt(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, kk: number): void {
    scratch(() => {
      const pa = copyIn(a, m * n), pb = copyIn(b, kk * n), pout = outputAt(out, m * kk);
      k.dotRows(pa, pb, 0, pout, m, n, kk, 1);
      copyOut(pout, out, m * kk);
    });
  }

  function softmaxCrossEntropy(
    logits: Float32Array, labels: Int32Array, loss: Float32Array, dlogits: Float32Array | null, rows: number, cols: number,
  ): void {
    for (let r = 0; r < rows; r++) {
      const label = labels[r]!;
      if (!(label >= 0 && label < cols)) throw new RangeError(`softmaxCrossEntropy: label ${label} of row ${r} is not a class index in [0, ${cols})`);
    }
    scratch(() => {
      const pz = copyIn(logits, rows * cols);
      const py = instance.alloc(rows * 4);
      instance.i32.set(labels.subarray(0, rows), py >> 2);
      const ploss = outputAt(loss, rows);
      // The gradient buffer doubles as the exp work area, rounded up to whole vectors (as a workspace array is).
      const pd = dlogits === null ? instance.alloc(align4(rows * cols) * 4) : outputAt(dlogits, align4(rows * cols));
      k.softmaxCrossEntropy(pz, py, ploss, dlogits === null ? 0 : pd, pd, rows, cols);
      copyOut(ploss, loss, rows);
      if (dlogits !== null) copyOut(pd, dlogits, rows * cols);
    });
  }

  function gatherRows(
    src: Uint8Array, rowLength: number, rows: RowIndex, start: number, count: number, scale: number, out: Float32Array,
  ): void {
    checkRows({ src, rowLength, rows, start, count });
    scratch(() => {
      // Only the rows needed are copied in, one after the other; then they are converted in order.
      const bytes = instance.alloc(count * rowLength + 16);
      const u8 = instance.u8;
      for (let r = 0; r < count; r++) {
        const i = rows[start + r]!;
        u8.set(src.subarray(i * rowLength, (i + 1) * rowLength), bytes + r * rowLength);
      }
      const pout = outputAt(out, count * rowLength);
      const s = pixelScale(scale);
      k.gatherRows(bytes, rowLength, 0, 0, count, pout, rowLength, s.hi, s.lo, gatherMode(s), 0, 0);
      copyOut(pout, out, count * rowLength);
    });
  }

  /** The address of table `src` in the module's memory; copied in on first use (the last MAX_TABLES stay). */
  function residentTable(src: Uint8Array): number {
    const hit = tables.find((t) => t.src === src);
    if (hit !== undefined) return hit.at;
    if (tables.length === MAX_TABLES) {
      tables = [];
      keptTop = heapBase;
      generation++;
    }
    const at = allocKept(src.length);
    instance.u8.set(src, at);
    tables.push({ src, at });
    return at;
  }

  /**
   * Makes room for batch `x` above the tables (copying its table in first if needed): its floats' address,
   * and whether they are already there (it was the last batch). Runs before the call's scratch arena.
   */
  function placeBatch(x: GatheredRows): { at: number; table: number; ready: boolean } {
    if (batch?.rows === x) return { at: batch.at, table: 0, ready: true };
    checkRows(x);
    const table = residentTable(x.src);
    const bytes = x.count * x.rowLength * 4;
    if (batch === null || batch.bytes < bytes) {
      instance.release(keptTop);
      const at = instance.alloc(bytes);
      scratchBase = instance.mark();
      batch = { rows: NO_ROWS, at, bytes };
      batchPeak = Math.max(batchPeak, bytes);
    }
    batch.rows = NO_ROWS; // until the gather is done
    return { at: batch.at, table, ready: false };
  }

  /** What gathering batch `x` to `at` needs: its table's address, its row indices copied in, the scale. Runs inside `scratch`. */
  function gatherShare(x: GatheredRows, place: { at: number; table: number }) {
    const { rows, start, count } = x;
    const s = pixelScale(x.scale);
    const pRows = instance.alloc(count * 4);
    instance.i32.set(rows.subarray(start, start + count), pRows >> 2);
    return { table: place.table, rows: pRows, a: place.at, k: x.rowLength, hi: s.hi, lo: s.lo, mode: gatherMode(s) };
  }

  function matmulGathered(x: GatheredRows, b: Float32Array, out: Float32Array, n: number): void {
    const place = placeBatch(x);
    scratch(() => times(place.at, b, out, x.count, x.rowLength, n, place.ready ? undefined : { x, table: place.table }));
  }

  function matmulAtBGathered(x: GatheredRows, b: Float32Array, out: Float32Array, n: number): void {
    const place = placeBatch(x);
    scratch(() => {
      if (!place.ready) {
        // Gathered alone (no forward product came first, so nothing to interleave with): all rows in one call.
        const g = gatherShare(x, place);
        k.gatherRows(g.table, g.k, g.rows, 0, x.count, g.a, g.k, g.hi, g.lo, g.mode, 0, 0);
        batch!.rows = x;
      }
      transposedTimes(place.at, b, out, x.count, x.rowLength, n);
    });
  }

  function binary(
    op: BinaryOp, a: Float32Array, aStrides: readonly number[], b: Float32Array, bStrides: readonly number[],
    out: Float32Array, shape: readonly number[],
  ): void {
    const nd = shape.length;
    if (nd > 2 || out.length === 0) return ref.binary(op, a, aStrides, b, bStrides, out, shape);
    const { m, n, steps } = asTwoAxes(shape);
    const [ar, ac] = steps(aStrides), [br, bc] = steps(bStrides);
    const span = (r: number, c: number): number => (m - 1) * r + (n - 1) * c + 1;
    scratch(() => {
      const pa = copyIn(a, span(ar, ac)), pb = copyIn(b, span(br, bc)), pout = outputAt(out, m * n);
      k.binary2d(BINARY_OPS[op], pa, ar, ac, pb, br, bc, pout, m, n);
      copyOut(pout, out, m * n);
    });
  }

  function unary(op: UnaryOp, x: Float32Array, out: Float32Array, n: number): void {
    if (op !== "exp") return ref.unary(op, x, out, n);
    scratch(() => {
      // expInPlace works four lanes at a time; allocations (and workspace arrays) end on a 16-byte boundary,
      // so the last vector fits. It runs on the output, which first gets a copy of x.
      const po = outputAt(out, n);
      if (!resident(x)) instance.f32.set(x.subarray(0, n), po >> 2);
      else if (x.byteOffset !== po) instance.f32.copyWithin(po >> 2, x.byteOffset >> 2, (x.byteOffset >> 2) + n);
      k.expInPlace(po, n);
      copyOut(po, out, n);
    });
  }

  function axpy(alpha: number, x: Float32Array, y: Float32Array, n: number): void {
    scratch(() => {
      const px = copyIn(x, n), py = copyIn(y, n);
      k.axpy(alpha, px, py, n);
      copyOut(py, y, n);
    });
  }

  function sum(x: Float32Array, out: Float32Array, outer: number, len: number, inner: number): void {
    scratch(() => {
      const px = copyIn(x, outer * len * inner), pout = outputAt(out, outer * inner), acc = instance.alloc(inner * 8);
      k.sumAxis(px, pout, acc, outer, len, inner);
      copyOut(pout, out, outer * inner);
    });
  }

  function max(x: Float32Array, out: Float32Array, indices: Int32Array, outer: number, len: number, inner: number): void {
    scratch(() => {
      const px = copyIn(x, outer * len * inner), pout = outputAt(out, outer * inner), pidx = outputAt(indices, outer * inner);
      k.maxAxis(px, pout, pidx, outer, len, inner);
      copyOut(pout, out, outer * inner);
      if (!resident(indices)) indices.set(instance.i32.subarray(pidx >> 2, (pidx >> 2) + outer * inner));
    });
  }

  // One slot holds the workspace in use; a workspace that finds another in it takes it over (their values
  // are not kept between runs, so nothing is lost), and a larger one gets a new slot.
  let slot: { at: number; bytes: number; generation: number; owner: object | null } | null = null;

  function workspace(arrays: readonly WorkspaceArray[]): Workspace {
    const offsets: number[] = [];
    let bytes = 0;
    for (const a of arrays) {
      offsets.push(bytes);
      bytes += align16(a.length * 4); // whole vectors each: expInPlace and the softmax work area round up
    }
    let views: (Float32Array | Int32Array)[] = [];
    let viewed: { buffer: ArrayBufferLike; at: number } | null = null;
    const self: Workspace = {
      views(needed) {
        for (const src of needed) residentTable(src);
        if (slot === null || slot.generation !== generation || slot.bytes < bytes) {
          slot = { at: allocKept(bytes), bytes, generation, owner: null };
        }
        // A run's calls allocate no more than the recorded calls did (they copy less), so with this much
        // room above the kept regions none of them grows the memory, which would move the views.
        instance.reserve(keptTop + align16(batchPeak) + scratchPeak);
        const buffer = instance.u8.buffer;
        if (slot.owner !== self || viewed === null || viewed.buffer !== buffer || viewed.at !== slot.at) {
          const at = slot.at;
          views = arrays.map((a, i) => (a.type === "f32" ? new Float32Array(buffer, at + offsets[i]!, a.length) : new Int32Array(buffer, at + offsets[i]!, a.length)));
          viewed = { buffer, at };
          slot.owner = self;
        }
        return views;
      },
    };
    return self;
  }

  /** A recorded training step as commands of the module, run tile by tile of the batch (compiledStep.ts). */
  function compileStep(step: RecordedStep) {
    return compile({ instance, team, workspace, tableAddress: residentTable, checkRows }, step);
  }

  return {
    name: k.fusesMultiplyAdd() ? "wasm-relaxed-simd" : "wasm-simd",
    workspace,
    compileStep,
    matmul,
    matmulAtB,
    matmulABt,
    matmulGathered,
    matmulAtBGathered,
    unary,
    binary,
    expand: ref.expand,
    sum,
    max,
    pick: ref.pick,
    scatterAdd: ref.scatterAdd,
    axpy,
    softmaxCrossEntropy,
    gatherRows,
  };
}

/** Throws, naming it, on a row index of the batch outside its table (the module does not check). */
function checkRows({ src, rowLength, rows, start, count }: Omit<GatheredRows, "scale">): void {
  const n = src.length / rowLength;
  for (let r = 0; r < count; r++) {
    const i = rows[start + r]!;
    if (!(i >= 0 && i < n)) throw new RangeError(`gatherRows: row ${i} is outside [0, ${n})`);
  }
}

/** Tables kept in the memory at once: a training and a test split's images. */
const MAX_TABLES = 2;

/** Marks the batch region as holding no batch (after a failed gather). */
const NO_ROWS: GatheredRows = Object.freeze({ src: new Uint8Array(0), rowLength: 0, rows: new Int32Array(0), start: 0, count: 0, scale: 1 });

/** The module's codes for the binary ops (assembly/vector.ts binary2d). */
const BINARY_OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

function align4(n: number): number {
  return (n + 3) & ~3;
}
