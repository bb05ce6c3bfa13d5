// Step capture: a training step recorded as the kernel calls it makes, then replayed on the next batches of
// the same shape without running the net, the graph or the updater again (as CUDA graphs and jax.jit do).
// Two recordings, on two batches, must agree call for call before anything is replayed.

import { getKernels, setKernels } from "../kernels/current.ts";
import type { CompiledStep, GatheredRows, Kernels, RecordedStep, Workspace } from "../kernels/kernels.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * One training step, in the two parts `trainEpoch` separates to check the loss before updating; or, with
 * neither loss nor update, an evaluation's forward pass.
 */
export interface CapturedStep {
  /**
   * ŷ = net(X) and the summed loss over the batch (d2l: `l = loss(net(X), y)`, then `l.sum()`), or no loss;
   * optionally the predicted classes too (`predictions(ŷ)`), so that a replay computes them with the rest.
   */
  forward(X: Tensor, y: Int32Array): StepOutputs;
  /** Backpropagates from `total` and applies the update (d2l: `l.sum().backward()`, `updater(batch_size)`). */
  update?(total: Tensor, batchSize: number): void;
}

/** What a step's forward part leaves for the caller. */
export interface StepOutputs {
  yHat: Tensor;
  total: Tensor | null;
  /** The predicted class of each example (ŷ's argmax), when the step computes it. */
  predicted?: Int32Array | Float32Array;
}

/** What a run of a step gives back: its outputs, with the loss sum read. */
export interface StepResult {
  yHat: Tensor;
  lossSum: number;
  predicted?: Int32Array | Float32Array;
}

type Method = Exclude<keyof Kernels, "name" | "workspace" | "compileStep">;

/** The arguments each kernel writes (outputs) and the ones it also reads first (it adds into them). */
const WRITES: Record<Method, readonly number[]> = {
  matmul: [2], matmulAtB: [2], matmulABt: [2], matmulGathered: [2], matmulAtBGathered: [2],
  unary: [2], binary: [5], expand: [2], sum: [1], max: [1, 2], pick: [3], scatterAdd: [2], axpy: [2],
  softmaxCrossEntropy: [2, 3], gatherRows: [6],
};
const ADDS_INTO: Partial<Record<Method, number>> = { scatterAdd: 2, axpy: 2 };

type TypedArray = Float32Array | Int32Array | Uint32Array | Uint8Array;
const isTypedArray = (v: unknown): v is TypedArray => ArrayBuffer.isView(v);

interface Call {
  method: Method;
  args: unknown[];
}

/** A batch's inputs as the kernels see them: the batch description (or its floats) and the labels. */
interface Inputs {
  gathered: GatheredRows | null;
  rows: TypedArray | null;
  values: Float32Array | null;
  labels: Int32Array;
}
type Slot = keyof Inputs;

function inputsOf(X: Tensor, y: Int32Array): Inputs {
  const gathered = X.storage.gatheredRows;
  // An unread data batch is passed by its description; reading X.data here would gather it too early.
  return { gathered, rows: gathered?.rows ?? null, values: gathered === null ? X.data : null, labels: y };
}

/** A recorded step: its calls, the state each array was in when first read, and the tensors it left. */
interface Recording {
  inputs: Inputs;
  forward: Call[];
  update: Call[];
  /** Arrays read before any kernel wrote them, with their values at that moment. */
  firstRead: Map<TypedArray, TypedArray>;
  outputs: StepOutputs;
}

/** Runs `body` with every kernel call appended to `calls`, noting the arrays read before they are written. */
function recordCalls<T>(calls: Call[], written: Set<unknown>, firstRead: Map<TypedArray, TypedArray>, body: () => T): T {
  const inner = getKernels();
  const recorder = { name: inner.name } as Record<string, unknown>;
  for (const method of Object.keys(WRITES) as Method[]) {
    const run = inner[method] as ((...args: unknown[]) => void) | undefined;
    if (run === undefined) continue; // optional kernels stay absent, so the ops choose as they would
    const writes = WRITES[method];
    recorder[method] = (...args: unknown[]) => {
      args.forEach((a, i) => {
        const read = !writes.includes(i) || ADDS_INTO[method] === i;
        if (read && isTypedArray(a) && !written.has(a) && !firstRead.has(a)) firstRead.set(a, a.slice());
      });
      calls.push({ method, args });
      run.apply(inner, args);
      for (const i of writes) written.add(args[i]);
    };
  }
  setKernels(recorder as unknown as Kernels);
  try {
    return body();
  } finally {
    setKernels(inner);
  }
}

/** A step ready to replay: calls with the batch's inputs left as slots, and the arrays to reset first. */
interface Program {
  forward: Replay[];
  update: Replay[];
  resets: [TypedArray, TypedArray][];
  outputs: StepOutputs;
  /** Where the kernels keep the step's own arrays, if they offer it. */
  kept: Kept | null;
  /** The step compiled by the kernels, if they could: it runs instead of the calls. */
  compiled: CompiledStep | null;
  /** Why the kernels did not compile it, or null. */
  compileReason: string | null;
  /** Whether a kernel reads the labels (the loss does; an evaluation's forward pass does not). */
  readsLabels: boolean;
}

/**
 * The arrays the step makes and only its kernels see, moved to a workspace of the kernels: which
 * arguments and resets refer to which of them, and the views they were last pointed at.
 */
interface Kept {
  workspace: Workspace;
  args: { call: Replay; index: number; array: number }[];
  resets: { array: number; before: TypedArray }[];
  views: readonly TypedArray[] | null;
}
interface Replay {
  method: Method;
  run: (...args: unknown[]) => void;
  args: unknown[];
  slots: [number, Slot][];
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]));

const sameContents = (a: TypedArray, b: TypedArray): boolean =>
  a.constructor === b.constructor && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * Compares two recordings made on different batches and builds the program replaying the second, or returns
 * why the step cannot be replayed. Arguments must be the same value, the batch's input in the same role, or
 * arrays the step made (a different one each step) that correspond one to one; an array the step made and
 * read before writing must hold the same values in both (zeros, a constant), not something computed from the batch.
 */
function compile(first: Recording, second: Recording): Program | string {
  if (first.forward.length !== second.forward.length || first.update.length !== second.update.length) {
    return `the step made ${first.forward.length}+${first.update.length} kernel calls on one batch and ${second.forward.length}+${second.update.length} on the next`;
  }
  const firstCalls = [...first.forward, ...first.update];
  const secondCalls = [...second.forward, ...second.update];
  const slotNames = Object.keys(second.inputs) as Slot[];
  const made = new Map<unknown, unknown>(); // an array the second step made → its counterpart in the first
  const madeBack = new Map<unknown, unknown>();
  const kernels = getKernels();
  const replays: Replay[] = [];
  for (let i = 0; i < secondCalls.length; i++) {
    const a = firstCalls[i]!, b = secondCalls[i]!;
    if (a.method !== b.method) return `kernel call ${i + 1} is ${a.method} on one batch and ${b.method} on the next`;
    const slots: [number, Slot][] = [];
    for (let j = 0; j < b.args.length; j++) {
      const x = a.args[j], y = b.args[j];
      const slot = y === null ? undefined : slotNames.find((s) => second.inputs[s] === y);
      if (slot !== undefined && first.inputs[slot] === x) slots.push([j, slot]);
      else if (slot === undefined && sameValue(x, y)) continue;
      else if (slot === undefined && isTypedArray(x) && isTypedArray(y) && (made.get(y) ?? x) === x && (madeBack.get(x) ?? y) === y) {
        made.set(y, x);
        madeBack.set(x, y);
      } else return `argument ${j + 1} of kernel call ${i + 1} (${b.method}) changes from batch to batch in a way the replay cannot follow`;
    }
    replays.push({ method: b.method, run: (kernels[b.method] as (...args: unknown[]) => void).bind(kernels), args: [...b.args], slots });
  }
  const resets: [TypedArray, TypedArray][] = [];
  for (const [array, before] of second.firstRead) {
    const counterpart = made.get(array);
    if (counterpart === undefined) continue; // the same array in both steps (a parameter), or a batch input
    const firstBefore = first.firstRead.get(counterpart as TypedArray);
    if (firstBefore === undefined || !sameContents(before, firstBefore)) {
      return "the step fills an array from the batch in JavaScript (outside the kernels)";
    }
    resets.push([array, before]);
  }
  const program: Program = {
    forward: replays.slice(0, second.forward.length), update: replays.slice(second.forward.length), resets,
    outputs: second.outputs, kept: null, compiled: null, compileReason: null,
    readsLabels: replays.some((r) => r.slots.some(([, slot]) => slot === "labels")),
  };
  const compiled = kernels.compileStep?.(recordedStep(program, made));
  if (typeof compiled === "object") program.compiled = compiled;
  else {
    program.compileReason = compiled ?? null;
    program.kept = keep(program, made);
  }
  return program;
}

/** The program as the kernels' compileStep sees it. */
function recordedStep(program: Program, made: Map<unknown, unknown>): RecordedStep {
  const call = (r: Replay) => ({ method: r.method, args: r.args, inputs: r.slots });
  return {
    forward: program.forward.map(call),
    update: program.update.map(call),
    made: new Set(made.keys()),
    resets: new Map(program.resets as [unknown, Float32Array | Int32Array][]),
    returned: returnedArrays(program.outputs),
  };
}

/** The arrays of a step's outputs, each once: ŷ, the loss sum and the predictions the caller reads. */
function returnedArrays({ yHat, total, predicted }: StepOutputs): (Float32Array | Int32Array)[] {
  const arrays: (Float32Array | Int32Array)[] = [yHat.data];
  if (total !== null) arrays.push(total.data);
  if (predicted !== undefined && predicted !== yHat.data) arrays.push(predicted);
  return arrays;
}

/**
 * Moves the arrays the step made into a workspace of the kernels, if they offer one, so that their kernels
 * use them in place. The tensors the step returns stay where they are: JavaScript reads them.
 */
function keep(program: Program, made: Map<unknown, unknown>): Kept | null {
  const kernels = getKernels();
  if (kernels.workspace === undefined) return null;
  const returned = new Set<unknown>(returnedArrays(program.outputs));
  const arrays: (Float32Array | Int32Array)[] = [];
  const index = new Map<unknown, number>();
  for (const array of made.keys()) {
    if (returned.has(array) || !(array instanceof Float32Array || array instanceof Int32Array)) continue;
    index.set(array, arrays.length);
    arrays.push(array);
  }
  if (arrays.length === 0) return null;
  const args: Kept["args"] = [];
  for (const call of [...program.forward, ...program.update]) {
    call.args.forEach((arg, i) => {
      const array = index.get(arg);
      if (array !== undefined) args.push({ call, index: i, array });
    });
  }
  const resets: Kept["resets"] = [];
  program.resets = program.resets.filter(([array, before]) => {
    const i = index.get(array);
    if (i !== undefined) resets.push({ array: i, before });
    return i === undefined;
  });
  const workspace = kernels.workspace(arrays.map((a) => ({ type: a instanceof Float32Array ? "f32" : "i32", length: a.length })));
  return { workspace, args, resets, views: null };
}

/** Points the program's kept arrays at the workspace's views for this run, and resets those that need it. */
function prepareKept(kept: Kept, tables: readonly Uint8Array[]): void {
  const views = kept.workspace.views(tables);
  if (views !== kept.views) {
    for (const { call, index, array } of kept.args) call.args[index] = views[array];
    kept.views = views;
  }
  for (const { array, before } of kept.resets) views[array]!.set(before);
}

function replay(calls: Replay[], inputs: Inputs): void {
  for (const call of calls) {
    for (const [j, slot] of call.slots) call.args[j] = inputs[slot];
    call.run(...call.args);
  }
}

/**
 * Replays a training step: records it on the first two batches of each shape, checks that the recordings
 * agree, then runs only its kernel calls on the following batches, with their inputs swapped in; kernels that
 * compile steps run it as their own program (`compileReason` says why not). Keep one per (net, loss, updater);
 * `train`, `trainEpoch` and `evaluateAccuracy` make one for `{ capture: true }`.
 * The step must compute the same way on every batch: no branches on values, no side effects to repeat,
 * and nothing computed from the batch in JavaScript. Steps that differ between the two recordings, or
 * that fill an array from the batch outside the kernels, run eagerly; `eagerReason` says why.
 * NOTE: not in d2l, which runs every step eagerly (PyTorch's counterpart is CUDA graphs).
 */
export class StepCapture {
  private readonly programs = new Map<string, Recording | Program | string>();
  private readonly kernels = getKernels();
  private readonly tables = new WeakMap<Uint8Array, number>();
  private tableCount = 0;
  /** Why the last shape that could not be replayed runs eagerly, or null. */
  eagerReason: string | null = null;
  /** Why the kernels did not compile the last shape recorded (it replays its calls), or null. */
  compileReason: string | null = null;
  /** Steps run from a recording so far. */
  replayed = 0;
  /** Of those, the steps the kernels ran compiled. */
  compiled = 0;

  /** Runs one step of `step` on (X, y); `check` sees the loss sum before the update. */
  run(step: CapturedStep, X: Tensor, y: Int32Array, check: (lossSum: number) => void): StepResult {
    if (getKernels() !== this.kernels) throw new Error("StepCapture: the kernels changed since it was made; make a new one");
    const inputs = inputsOf(X, y);
    const key = this.keyOf(X, inputs);
    const known = this.programs.get(key);
    if (typeof known === "string") return runStep(step, X, y, check);
    if (known !== undefined && "resets" in known) return this.replay(known, inputs, check);
    const recording = record(step, X, y, inputs, check);
    if (known === undefined) this.programs.set(key, recording);
    else {
      const program = compile(known, recording);
      if (typeof program === "string") this.eagerReason = program;
      else this.compileReason = program.compileReason;
      this.programs.set(key, program);
    }
    return resultOf(recording.outputs, lossOf(recording.outputs.total));
  }

  /** What must match for a recording to replay on a batch: shapes and, for a data batch, all but its rows. */
  private keyOf(X: Tensor, inputs: Inputs): string {
    const g = inputs.gathered;
    if (g === null) return `${X.shape.join("x")}:${inputs.labels.length}`;
    let table = this.tables.get(g.src);
    if (table === undefined) this.tables.set(g.src, (table = ++this.tableCount));
    return `${X.shape.join("x")}:${inputs.labels.length}:table ${table}:${g.rowLength}:${g.start}:${g.count}:${g.scale}`;
  }

  private replay(program: Program, inputs: Inputs, check: (lossSum: number) => void): StepResult {
    // The kernels do not check indices; the ops did while recording, so the replay checks the labels itself
    // where a kernel reads them (an evaluation only compares them with its predictions, as eagerly).
    const { yHat } = program.outputs;
    const classes = yHat.ndim === 2 ? yHat.shape[1]! : Infinity;
    const labels = inputs.labels;
    if (program.readsLabels) {
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i]!;
        if (!(label >= 0 && label < classes)) throw new RangeError(`trainEpoch: label ${label} of example ${i} is not a class index in [0, ${classes})`);
      }
    }
    const compiled = program.compiled;
    if (compiled !== null) compiled.forward(inputs);
    else {
      for (const [array, before] of program.resets) array.set(before);
      if (program.kept !== null) prepareKept(program.kept, inputs.gathered === null ? [] : [inputs.gathered.src]);
      replay(program.forward, inputs);
    }
    const lossSum = lossOf(program.outputs.total);
    check(lossSum);
    if (compiled !== null) compiled.update();
    else replay(program.update, inputs);
    this.replayed++;
    if (compiled !== null) this.compiled++;
    return resultOf(program.outputs, lossSum);
  }
}

function record(step: CapturedStep, X: Tensor, y: Int32Array, inputs: Inputs, check: (lossSum: number) => void): Recording {
  // The batch's own arrays count as written: they are inputs, not state to restore (and the uint8 table
  // behind a batch can be tens of megabytes).
  const written = new Set<unknown>([inputs.rows, inputs.values, inputs.labels, inputs.gathered?.src]);
  const firstRead = new Map<TypedArray, TypedArray>();
  const forward: Call[] = [];
  const update: Call[] = [];
  const outputs = recordCalls(forward, written, firstRead, () => step.forward(X, y));
  const { total } = outputs;
  check(lossOf(total));
  if (total !== null && step.update !== undefined) recordCalls(update, written, firstRead, () => step.update!(total, X.shape[0]!));
  return { inputs, forward, update, firstRead, outputs };
}

/** Runs `step` on (X, y) eagerly: forward, `check` on the loss sum, then the update. */
export function runStep(step: CapturedStep, X: Tensor, y: Int32Array, check: (lossSum: number) => void): StepResult {
  const outputs = step.forward(X, y);
  const { total } = outputs;
  const lossSum = lossOf(total);
  check(lossSum);
  if (total !== null) step.update?.(total, X.shape[0]!);
  return resultOf(outputs, lossSum);
}

/** What a run gives back: the step's outputs, with the loss sum read once before the update. */
function resultOf({ yHat, predicted }: StepOutputs, lossSum: number): StepResult {
  return predicted === undefined ? { yHat, lossSum } : { yHat, lossSum, predicted };
}

/** The loss sum a step computed, or NaN for a step without one (an evaluation). */
function lossOf(total: Tensor | null): number {
  return total === null ? NaN : total.data[0]!;
}
