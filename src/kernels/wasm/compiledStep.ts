// A recorded training step compiled for the kernels module: its calls become commands (assembly/program.ts)
// on arrays laid out in the module's memory, and the calls that work example by example run tile by tile of
// the batch — one tile's gather, forward, loss, backward and gradient shard while its rows are in cache, the
// tiles shared among the threads — as the resident trainer runs its shards. The rest (sums over the batch,
// the update) runs after the tiles, in the recorded order. Every command computes what its call did, bit for bit.

import type { CompiledStep, GatheredRows, RecordedCall, RecordedStep, StepInputs, Workspace, WorkspaceArray } from "../kernels.ts";
import { align16, type KernelsInstance } from "./module.ts";
import type { ProductTeam } from "./productTeam.ts";
import { gatherMode, pixelScale } from "./scale.ts";
import { runShare, SHARD_ROWS, shardCount, type Share } from "./shares.ts";
import { asTwoAxes } from "./twoAxes.ts";

/** What compiling needs from the Kernels set it belongs to. */
export interface StepEnv {
  readonly instance: KernelsInstance;
  readonly team: ProductTeam | undefined;
  workspace(arrays: readonly WorkspaceArray[]): Workspace;
  /** The address of a uint8 table in the memory (placed there if needed). */
  tableAddress(src: Uint8Array): number;
  /** Throws, naming it, on a row index outside the table. */
  checkRows(x: GatheredRows): void;
}

/** Rows per tile: a gradient shard (so each tile adds one shard), a multiple of 4 (whole vectors per tile). */
const TILE_ROWS = SHARD_ROWS;

/** Bytes per command (assembly/program.ts COMMAND_BYTES): 16 float64 slots, the first the opcode. */
const COMMAND_BYTES = 128;

/** Opcodes of assembly/program.ts. */
const OP = {
  GATHER: 1, DOT: 2, GRADIENT_SHARD: 3, SHARD_SUM: 4, BINARY: 5, UNARY: 6, EXPAND: 7,
  SUM: 8, MAX: 9, PICK: 10, SCATTER_ADD: 11, SOFTMAX_CE: 12, AXPY: 13, TRANSPOSE: 14,
} as const;
const BINARY_CODES: Record<string, number> = { add: 0, sub: 1, mul: 2, div: 3 };
const UNARY_CODES: Record<string, number> = { neg: 0, exp: 1, log: 2 };

type Arr = Float32Array | Int32Array;
const isArr = (v: unknown): v is Arr => v instanceof Float32Array || v instanceof Int32Array;

/** An operand: an array of the step (by index into the layout) or a number. */
type Operand = { array: number } | number;

/** A command before it has addresses: its opcode and operands. */
interface Command {
  op: number;
  operands: Operand[];
}

/** Where a command runs: before the tiles, in every tile, or after them in the forward or the update part. */
type Phase = "pre" | "tile" | "forward" | "update";

/**
 * Compiles `step`, or says why it cannot be: every call must be one of the kernels below on the batch's rows
 * or on whole arrays, the batch must come gathered from a table (not as floats read in JavaScript), and no
 * call working row by row may need a result over the whole batch.
 */
export function compileStep(env: StepEnv, step: RecordedStep): CompiledStep | string {
  const builder = new Builder(step);
  const calls = [...step.forward.map((call) => ({ call, part: "forward" as const })), ...step.update.map((call) => ({ call, part: "update" as const }))];
  const batch = builder.batchOf(calls.map((c) => c.call));
  if (typeof batch === "string") return batch;
  for (let i = 0; i < calls.length; i++) {
    const why = builder.add(calls[i]!.call, calls[i]!.part, i);
    if (why !== null) return `kernel call ${i + 1} (${calls[i]!.call.method}): ${why}`;
  }
  const why = builder.check();
  if (why !== null) return why;
  return new WasmCompiledStep(env, builder, batch);
}

/** An array of the compiled step, by its place in the layout. */
interface ArrayInfo {
  index: number;
  array: Arr | null; // null: an internal buffer of the compiled step
  type: "f32" | "i32";
  length: number;
  /** Values per example for an array of the batch's rows (used row by row), or null for a whole array. */
  rowLength: number | null;
  /** The caller's (a parameter): copied in before each run, and back out after it if written. */
  caller: boolean;
  /** Positions of the calls that write it, working row by row or not. */
  rowWrites: number[];
  otherWrites: number[];
}

class Builder {
  readonly arrays: ArrayInfo[] = [];
  /** Each array's record, by the array. */
  readonly byArray = new Map<unknown, ArrayInfo>();
  readonly commands: Record<Phase, Command[]> = { pre: [], tile: [], forward: [], update: [] };
  /** Reads of batch-wide arrays by calls that run after the tiles: [position, array]. */
  private readonly laterReads: [number, ArrayInfo][] = [];
  /** Reads of whole arrays by calls that run in the tiles: [position, array]. */
  private readonly tileReads: [number, ArrayInfo][] = [];
  /** The batch: its rows, its gathered description, its labels, and where each run copies its row indices. */
  rows = 0;
  gathered: GatheredRows | null = null;
  labels: ArrayInfo | null = null;
  rowIndices: ArrayInfo | null = null;
  /** Float64 sums a SUM needs in a thread's scratch block (bytes), after the tile's gathered rows. */
  sumBytes = 8;

  constructor(readonly step: RecordedStep) {}

  /** The batch: its rows (from the labels or the gathered batch) and its gathered description, checked. */
  batchOf(calls: readonly RecordedCall[]): { rows: number; gathered: GatheredRows | null } | string {
    let labels: Int32Array | null = null;
    for (const call of calls) {
      for (const [index, input] of call.inputs) {
        const value = call.args[index];
        if (input === "rows" || input === "values") return "the step reads the batch's floats in JavaScript (only batches gathered by the kernels compile)";
        if (input === "labels") labels = value as Int32Array;
        if (input === "gathered") {
          const x = value as GatheredRows;
          if (this.gathered !== null && this.gathered !== x) return "the step gathers two different batches";
          this.gathered = x;
        }
      }
    }
    if (labels === null && this.gathered === null) return "the step has no batch input";
    this.rows = this.gathered?.count ?? labels!.length;
    if (labels !== null && labels.length !== this.rows) return "the labels and the batch differ in length";
    if (labels !== null) this.labels = this.info(labels, 1, false);
    if (this.gathered !== null) {
      this.rowIndices = this.internal("i32", this.rows, 1);
      // slots: rows, table, row length, row indices, hi, lo, mode (the table and scale are filled in by encode)
      this.commands.tile.push({ op: OP.GATHER, operands: [this.rows, -1, this.gathered.rowLength, { array: this.rowIndices.index }, -1, -1, -1] });
    }
    return { rows: this.rows, gathered: this.gathered };
  }

  /** The info of `array`, made on first sight with the row length it is first used with (null: whole). */
  private info(array: Arr, rowLength: number | null, caller = !this.step.made.has(array)): ArrayInfo {
    let info = this.byArray.get(array);
    if (info === undefined) {
      info = { index: this.arrays.length, array, type: array instanceof Int32Array ? "i32" : "f32", length: array.length, rowLength, caller, rowWrites: [], otherWrites: [] };
      this.arrays.push(info);
      this.byArray.set(array, info);
    }
    return info;
  }

  /** A buffer of the compiled step's own. */
  private internal(type: "f32" | "i32", length: number, rowLength: number | null): ArrayInfo {
    const info: ArrayInfo = { index: this.arrays.length, array: null, type, length, rowLength, caller: false, rowWrites: [], otherWrites: [] };
    this.arrays.push(info);
    return info;
  }

  /**
   * Classifies and encodes one call. Returns null, or why it cannot compile. A call works row by row when
   * each of its arrays either holds the same number of values for every example of the batch (and it uses
   * only that example's), or is read whole; it then runs in the tiles.
   */
  add(call: RecordedCall, part: "forward" | "update", position: number): string | null {
    const a = call.args;
    const B = this.rows;
    const rowWise = (array: unknown, rowLength: number): ArrayInfo | string => {
      if (!isArr(array)) return "an argument is not an array";
      const info = this.info(array, rowLength);
      if (info.rowLength !== rowLength || info.length < B * rowLength) return "an array is used with two different shapes";
      if (info.caller) return "it works row by row on an array of the caller's"; // the labels are the batch's, not the caller's
      return info;
    };
    const whole = (array: unknown): ArrayInfo | string => {
      if (!isArr(array)) return "an argument is not an array";
      const info = this.info(array, null);
      if (info.rowLength !== null) return "an array of the batch's rows is read whole by a row-by-row call";
      return info;
    };
    const ref = (info: ArrayInfo): Operand => ({ array: info.index });
    // A row-wise command: reads (ArrayInfo), writes (ArrayInfo), and the command itself.
    const tile = (reads: (ArrayInfo | string)[], writes: (ArrayInfo | string)[], command: () => Command): string | null => {
      for (const x of [...reads, ...writes]) if (typeof x === "string") return x;
      for (const r of reads as ArrayInfo[]) if (r.rowLength === null) this.tileReads.push([position, r]);
      for (const w of writes as ArrayInfo[]) w.rowWrites.push(position);
      this.commands.tile.push(command());
      return null;
    };
    // A command over whole arrays, after the tiles (in its part), in the recorded order.
    const after = (reads: unknown[], writes: unknown[], command: () => Command): string | null => {
      const infos: ArrayInfo[] = [];
      for (const x of [...reads, ...writes]) {
        if (!isArr(x)) return "an argument is not an array";
        infos.push(this.info(x, null));
      }
      for (const r of infos.slice(0, reads.length)) if (r.rowLength !== null) this.laterReads.push([position, r]);
      for (const w of infos.slice(reads.length)) {
        if (w.rowLength !== null) return "a call over the whole batch writes an array of the batch's rows";
        if (w.caller && part === "forward") return "the forward pass writes an array of the caller's";
        w.otherWrites.push(position);
      }
      this.commands[part].push(command());
      return null;
    };

    switch (call.method) {
      case "matmulGathered": {
        const [x, b, out, n] = a as [GatheredRows, Float32Array, Float32Array, number];
        if (x !== this.gathered || x.count !== B) return "not the step's batch";
        const k = x.rowLength;
        const w = whole(b);
        if (typeof w === "string") return w;
        this.tileReads.push([position, w]);
        // bᵀ, made before the tiles from b as the Kernels' product makes it on every call.
        const bt = this.internal("f32", n * k, null);
        this.commands.pre.push({ op: OP.TRANSPOSE, operands: [1, ref(w), ref(bt), k, n] });
        return tile([], [rowWise(out, n)], () => ({ op: OP.DOT, operands: [B, ref(bt), ref(this.info(out, n)), k, n] }));
      }
      case "matmulAtBGathered": {
        const [x, g, out, n] = a as [GatheredRows, Float32Array, Float32Array, number];
        if (x !== this.gathered || x.count !== B) return "not the step's batch";
        const k = x.rowLength;
        const shards = this.internal("f32", shardCount(B) * n * k, null);
        const fail = tile([rowWise(g, n)], [], () => ({ op: OP.GRADIENT_SHARD, operands: [B, ref(this.info(g, n)), ref(shards), k, n, TILE_ROWS] }));
        if (fail !== null) return fail;
        const o = whole(out);
        if (typeof o === "string") return o;
        // The shards are summed after the tiles, where this call is in the recorded order.
        return after([], [out], () => ({ op: OP.SHARD_SUM, operands: [1, ref(shards), shardCount(B), ref(o), k, n] }));
      }
      case "binary": {
        const [op, x, xs, y, ys, out, shape] = a as [string, Float32Array, number[], Float32Array, number[], Float32Array, number[]];
        const nd = shape.length;
        if (nd > 2) return "a binary op over more than two axes";
        if (nd >= 1 && shape[0] === B) {
          const C = nd === 2 ? shape[1]! : 1;
          const strides = (s: number[]): [number, number] => (nd === 2 ? [s[0]!, s[1]!] : [s[0]!, 0]);
          const operand = (array: Float32Array, s: number[]) => {
            const [r, c] = strides(s);
            if (r === 0) return whole(array);
            if ((C - 1) * c >= r) return "an operand's rows overlap";
            return rowWise(array, r);
          };
          const [xr, xc] = strides(xs), [yr, yc] = strides(ys);
          return tile([operand(x, xs), operand(y, ys)], [rowWise(out, C)], () => ({
            op: OP.BINARY,
            operands: [B, BINARY_CODES[op]!, ref(this.byArray.get(x)!), xr, xc, ref(this.byArray.get(y)!), yr, yc, ref(this.byArray.get(out)!), C],
          }));
        }
        // As [m, n], the Kernels' way (binary2d).
        const { m, n, steps } = asTwoAxes(shape);
        const [xr, xc] = steps(xs), [yr, yc] = steps(ys);
        return after([x, y], [out], () => ({
          op: OP.BINARY,
          operands: [m, BINARY_CODES[op]!, ref(this.byArray.get(x)!), xr, xc, ref(this.byArray.get(y)!), yr, yc, ref(this.byArray.get(out)!), n],
        }));
      }
      case "unary": {
        const [op, x, out, n] = a as [string, Float32Array, Float32Array, number];
        const known = this.byArray.get(x);
        const L = known?.rowLength ?? null;
        if (L !== null && n === B * L) {
          return tile([rowWise(x, L)], [rowWise(out, L)], () => ({ op: OP.UNARY, operands: [B, UNARY_CODES[op]!, ref(this.info(x, L)), ref(this.info(out, L)), L] }));
        }
        return after([x], [out], () => ({ op: OP.UNARY, operands: [1, UNARY_CODES[op]!, ref(this.info(x, null)), ref(this.info(out, null)), n] }));
      }
      case "expand": {
        const [x, xs, out, shape] = a as [Float32Array, number[], Float32Array, number[]];
        const nd = shape.length;
        if (nd > 2) return "an expand over more than two axes";
        if (nd >= 1 && shape[0] === B) {
          const C = nd === 2 ? shape[1]! : 1;
          const xr = xs[0]!, xc = nd === 2 ? xs[1]! : 0;
          const source = xr === 0 ? whole(x) : (C - 1) * xc >= xr ? "an operand's rows overlap" : rowWise(x, xr);
          return tile([source], [rowWise(out, C)], () => ({ op: OP.EXPAND, operands: [B, ref(this.byArray.get(x)!), xr, xc, ref(this.byArray.get(out)!), C] }));
        }
        const { m, n, steps } = asTwoAxes(shape);
        const [xr, xc] = steps(xs);
        return after([x], [out], () => ({ op: OP.EXPAND, operands: [m, ref(this.info(x, null)), xr, xc, ref(this.info(out, null)), n] }));
      }
      case "sum": {
        const [x, out, outer, len, inner] = a as [Float32Array, Float32Array, number, number, number];
        this.sumBytes = Math.max(this.sumBytes, inner * 8);
        const L = this.byArray.get(x)?.rowLength ?? null;
        if (L !== null && outer === B && len * inner === L) {
          return tile([rowWise(x, L)], [rowWise(out, inner)], () => ({ op: OP.SUM, operands: [B, ref(this.info(x, L)), ref(this.info(out, inner)), len, inner, -1] }));
        }
        if (L !== null && !(outer === 1 && len === B && inner === L)) return "a sum over part of the batch";
        return after([x], [out], () => ({ op: OP.SUM, operands: [outer, ref(this.byArray.get(x)!), ref(this.info(out, null)), len, inner, -1] }));
      }
      case "max": {
        const [x, out, indices, outer, len, inner] = a as [Float32Array, Float32Array, Int32Array, number, number, number];
        const L = this.byArray.get(x)?.rowLength ?? null;
        if (L !== null && outer === B && len * inner === L) {
          return tile([rowWise(x, L)], [rowWise(out, inner), rowWise(indices, inner)], () => ({
            op: OP.MAX, operands: [B, ref(this.info(x, L)), ref(this.info(out, inner)), ref(this.info(indices, inner)), len, inner],
          }));
        }
        if (L !== null) return "a max over part of the batch";
        return after([x], [out, indices], () => ({ op: OP.MAX, operands: [outer, ref(this.info(x, null)), ref(this.info(out, null)), ref(this.info(indices, null)), len, inner] }));
      }
      case "pick":
      case "scatterAdd": {
        const [src, indices, out, outer, len, inner] = a as [Float32Array, Int32Array, Float32Array, number, number, number];
        if (outer !== B) return `a ${call.method} not along the batch`;
        const pick = call.method === "pick";
        const [x, y] = pick ? [src, out] : [out, src]; // x: the [outer, len, inner] side
        const infos = [rowWise(x, len * inner), rowWise(indices, inner), rowWise(y, inner)];
        // scatterAdd adds into `out`: it reads it too.
        const fail = tile(pick ? infos.slice(0, 2) : infos, pick ? [infos[2]!] : [infos[0]!], () => ({
          op: pick ? OP.PICK : OP.SCATTER_ADD,
          operands: [B, ref(this.byArray.get(src)!), ref(this.byArray.get(indices)!), ref(this.byArray.get(out)!), len, inner],
        }));
        return fail;
      }
      case "softmaxCrossEntropy": {
        const [logits, labels, loss, dlogits, rows, cols] = a as [Float32Array, Int32Array, Float32Array, Float32Array | null, number, number];
        if (rows !== B) return "not along the batch";
        const work = dlogits === null ? this.internal("f32", B * cols, cols) : null;
        const writes = [rowWise(loss, 1), ...(dlogits === null ? [] : [rowWise(dlogits, cols)])];
        return tile([rowWise(logits, cols), rowWise(labels, 1)], writes, () => ({
          op: OP.SOFTMAX_CE,
          operands: [B, ref(this.byArray.get(logits)!), ref(this.byArray.get(labels)!), ref(this.byArray.get(loss)!),
            dlogits === null ? 0 : ref(this.byArray.get(dlogits)!), ref(work ?? this.byArray.get(dlogits)!), cols],
        }));
      }
      case "axpy": {
        const [alpha, x, y, n] = a as [number, Float32Array, Float32Array, number];
        return after([x, y], [y], () => ({ op: OP.AXPY, operands: [1, alpha, ref(this.info(x, null)), ref(this.info(y, null)), n] }));
      }
      default:
        return "this kernel is not compiled";
    }
  }

  /** The order checks: what the tiles read whole is final before them, and what runs after reads final rows. */
  check(): string | null {
    for (const [position, info] of this.tileReads) {
      if (info.otherWrites.some((w) => w < position)) return "a call working row by row reads a result over the whole batch";
    }
    for (const [position, info] of this.laterReads) {
      if (info.rowWrites.some((w) => w > position)) return "an array of the batch's rows is read whole, then written again";
    }
    for (const returned of this.step.returned) {
      const info = this.byArray.get(returned);
      if (info === undefined) return "a returned array is not in the step";
      if ([...info.otherWrites, ...info.rowWrites].some((w) => w >= this.step.forward.length)) return "the update writes a returned array";
    }
    return null;
  }
}

/** A compiled step on one Kernels set's memory: the commands, the arrays and the threads that run them. */
class WasmCompiledStep implements CompiledStep {
  private readonly workspace: Workspace;
  private readonly layout: ArrayInfo[];
  private readonly counts: Record<Phase, number>;
  private readonly lists: Record<Phase, number> = { pre: 0, tile: 0, forward: 0, update: 0 };
  private views: readonly (Float32Array | Int32Array)[] | null = null;
  private scratch = 0;
  private readonly scratchBytes: number;
  private readonly commandsIndex: number;
  private readonly scratchIndex: number;
  /** The caller's arrays the step reads (copied in first) and writes (copied back after the update). */
  private readonly callerReads: ArrayInfo[];
  private readonly callerWrites: ArrayInfo[];
  private readonly returned: ArrayInfo[];
  private readonly resets: [ArrayInfo, Float32Array | Int32Array][];
  private readonly tiles: number;

  constructor(private readonly env: StepEnv, private readonly builder: Builder, private readonly batch: { rows: number; gathered: GatheredRows | null }) {
    const threads = env.team?.threads ?? 1;
    const k = batch.gathered?.rowLength ?? 0;
    this.scratchBytes = align16(TILE_ROWS * k * 4) + align16(builder.sumBytes);
    const commands = builder.commands;
    this.counts = { pre: commands.pre.length, tile: commands.tile.length, forward: commands.forward.length, update: commands.update.length };
    const total = this.counts.pre + this.counts.tile + this.counts.forward + this.counts.update;
    this.layout = builder.arrays;
    this.commandsIndex = this.layout.length;
    this.scratchIndex = this.layout.length + 1;
    const arrays: WorkspaceArray[] = [
      ...this.layout.map((a) => ({ type: a.type, length: Math.max(a.length, 1) })),
      { type: "f32", length: (total * COMMAND_BYTES) / 4 },
      { type: "f32", length: (threads * this.scratchBytes) / 4 },
    ];
    this.workspace = env.workspace(arrays);
    const reads = new Set<ArrayInfo>(), writes = new Set<ArrayInfo>();
    for (const info of this.layout) {
      if (!info.caller || info === builder.labels) continue;
      reads.add(info); // read or not, a caller's array starts as the caller left it: a partial write keeps the rest
      if (info.otherWrites.length > 0) writes.add(info);
    }
    this.callerReads = [...reads];
    this.callerWrites = [...writes];
    this.returned = builder.step.returned.map((r) => builder.byArray.get(r)!);
    this.resets = [...builder.step.resets].flatMap(([array, before]) => {
      const info = builder.byArray.get(array);
      return info === undefined ? [] : [[info, before] as [ArrayInfo, Float32Array | Int32Array]];
    });
    this.tiles = Math.ceil(batch.rows / TILE_ROWS);
  }

  forward(inputs: StepInputs): void {
    const { instance } = this.env;
    const x = inputs.gathered;
    if (x !== null) this.env.checkRows(x);
    const views = this.workspace.views(x === null ? [] : [x.src]);
    if (views !== this.views) this.encode(views, x);
    const k = instance.exports;
    for (const info of this.callerReads) views[info.index]!.set(info.array!);
    for (const [info, before] of this.resets) views[info.index]!.set(before);
    const labels = this.builder.labels;
    if (labels !== null) views[labels.index]!.set(inputs.labels);
    if (x !== null) views[this.builder.rowIndices!.index]!.set(x.rows.subarray(x.start, x.start + x.count));
    k.runCommands(this.lists.pre, this.counts.pre, 0, -1, this.scratch);
    const B = this.batch.rows;
    const share: Share = { kind: "tiles", list: this.lists.tile, count: this.counts.tile, rows: B, tileRows: TILE_ROWS, scratch: this.scratch, scratchBytes: this.scratchBytes };
    if (this.env.team !== undefined) this.env.team.run(k, share, this.tiles);
    else runShare(k, share, 0, this.tiles);
    k.runCommands(this.lists.forward, this.counts.forward, 0, -1, this.scratch);
    for (const info of this.returned) (info.array as Float32Array).set(views[info.index]!.subarray(0, info.length));
  }

  update(): void {
    const views = this.views!;
    this.env.instance.exports.runCommands(this.lists.update, this.counts.update, 0, -1, this.scratch);
    for (const info of this.callerWrites) (info.array as Float32Array).set(views[info.index]!.subarray(0, info.length));
  }

  /** Writes the commands with the arrays' addresses (again whenever the workspace's views change). */
  private encode(views: readonly (Float32Array | Int32Array)[], x: GatheredRows | null): void {
    this.views = views;
    const address = (i: number) => views[i]!.byteOffset;
    const list = views[this.commandsIndex]!;
    const f64 = new Float64Array(list.buffer, list.byteOffset, list.length / 2);
    this.scratch = address(this.scratchIndex);
    let at = 0;
    for (const phase of ["pre", "tile", "forward", "update"] as const) {
      this.lists[phase] = list.byteOffset + at * COMMAND_BYTES;
      for (const command of this.builder.commands[phase]) {
        const base = at * (COMMAND_BYTES / 8);
        f64.fill(0, base, base + COMMAND_BYTES / 8);
        f64[base] = command.op;
        command.operands.forEach((operand, i) => {
          f64[base + 1 + i] = typeof operand === "number" ? operand : address(operand.array);
        });
        if (command.op === OP.GATHER) {
          // The table's address and the exact scaling, known once the batch's table is placed.
          const s = pixelScale(x!.scale);
          f64[base + 2] = this.env.tableAddress(x!.src);
          f64[base + 5] = s.hi;
          f64[base + 6] = s.lo;
          f64[base + 7] = gatherMode(s);
        }
        if (command.op === OP.SUM) f64[base + 6] = align16(TILE_ROWS * (x?.rowLength ?? 0) * 4); // its float64 sums, in the scratch block
        at++;
      }
    }
  }
}
