// The Kernels interface: every loop the tensor ops and the fused training step run.
// Typed arrays in, caller-provided typed arrays out, explicit sizes; no Tensor, no allocation per element.
// `ref.ts` is the plain reference (the spec); a WebAssembly SIMD set implements the same interface.

/** Elementwise binary operations with broadcasting. */
export type BinaryOp = "add" | "sub" | "mul" | "div";

/** Elementwise unary operations. */
export type UnaryOp = "neg" | "exp" | "log";

/** Row indices into a uint8 table (a dataset permutation). */
export type RowIndex = Int32Array | Uint32Array;

/**
 * A float batch described rather than held: rows `rows[start]`, …, `rows[start + count − 1]` of the uint8
 * table `src` (`rowLength` values each), times `scale`: the [count, rowLength] array `gatherRows` writes.
 */
export interface GatheredRows {
  readonly src: Uint8Array;
  readonly rowLength: number;
  readonly rows: RowIndex;
  readonly start: number;
  readonly count: number;
  readonly scale: number;
}

/** One array of a workspace: its element type and length. */
export interface WorkspaceArray {
  readonly type: "f32" | "i32";
  readonly length: number;
}

/**
 * Arrays kept in a kernel set's own memory, which its kernels read and write where they are, with no copies
 * in and out. StepCapture keeps a replayed step's intermediate arrays in one.
 */
export interface Workspace {
  /**
   * The arrays, as views of the set's memory, for one run of kernel calls that gathers its batches from
   * `tables`: places those tables and reserves the working memory the same calls took when made before
   * (on any arrays), so that no call in the run moves the memory. Returns the same views from run to run
   * until something else needs them (another workspace, or the memory moved); then new ones. Values are not
   * kept from one run to the next.
   */
  views(tables: readonly Uint8Array[]): readonly (Float32Array | Int32Array)[];
}

/** A kernel call a StepCapture recorded: the method, its arguments, and which of them are the batch's inputs. */
export interface RecordedCall {
  readonly method: string;
  readonly args: readonly unknown[];
  /** Arguments that are the batch's inputs (its description, labels, float rows), replaced on each run. */
  readonly inputs: readonly (readonly [index: number, input: "gathered" | "rows" | "values" | "labels"])[];
}

/** A training step recorded as kernel calls (by StepCapture), for a kernel set to compile. */
export interface RecordedStep {
  /** The forward pass and the loss; then backward and the update, after the loss is checked. */
  readonly forward: readonly RecordedCall[];
  readonly update: readonly RecordedCall[];
  /**
   * The arrays the step made: its own, to place anywhere. Every other array is the caller's (a parameter):
   * read where it is when the step starts, written back when it ends.
   */
  readonly made: ReadonlySet<unknown>;
  /** Made arrays read before any call writes them, with the values they start from on every run. */
  readonly resets: ReadonlyMap<unknown, Float32Array | Int32Array>;
  /** Made arrays the caller reads after the forward pass (ŷ, the loss sum, the predicted classes). */
  readonly returned: readonly (Float32Array | Int32Array)[];
}

/** A batch's inputs to a compiled step. */
export interface StepInputs {
  readonly gathered: GatheredRows | null;
  readonly labels: Int32Array;
}

/** A step compiled by a kernel set: what its recorded calls compute, bit for bit, run another way. */
export interface CompiledStep {
  /** Runs everything but the writes to the caller's arrays, and fills the returned arrays. */
  forward(inputs: StepInputs): void;
  /** Runs the rest (the update), after `forward` on the same batch. */
  update(): void;
}

/**
 * The loops behind every op. Shapes are row-major; "[m, k]" means m rows of k values.
 * Outputs are written, never read (except `axpy` and `scatterAdd`, which add into them).
 * Reductions and gathers see a tensor as [outer, len, inner] around the axis they work on.
 */
export interface Kernels {
  /** A short name for logs, model files and benchmark tables ("ref", "wasm-simd", "wasm-relaxed-simd"). */
  readonly name: string;

  /** out[m, n] = a[m, k] · b[k, n]. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void;
  /** out[k, n] = aᵀ · b for a[m, k], b[m, n] (the weight gradient Xᵀ·G). */
  matmulAtB(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number): void;
  /** out[m, k] = a · bᵀ for a[m, n], b[k, n] (the input gradient G·Wᵀ). */
  matmulABt(a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number): void;

  /**
   * Optional: `matmul` and `matmulAtB` with `a` = the batch `x` describes ([x.count, x.rowLength]), bit for bit
   * what `gatherRows` into a float array followed by those products gives. Sets that compute in a memory of
   * their own implement them, gathering straight into it (and reusing a batch the two products share);
   * the tensor ops give the other sets the gathered floats.
   */
  matmulGathered?(x: GatheredRows, b: Float32Array, out: Float32Array, n: number): void;
  matmulAtBGathered?(x: GatheredRows, b: Float32Array, out: Float32Array, n: number): void;

  /**
   * Optional: a workspace holding `arrays` (sets that compute in a memory of their own implement it). Their
   * kernels take its views like any array, without copying them.
   */
  workspace?(arrays: readonly WorkspaceArray[]): Workspace;

  /**
   * Optional: compiles a recorded training step to run without its calls, or says why it cannot. The step's
   * calls must give the same results run this way (the WebAssembly sets run it tile by tile of the batch).
   */
  compileStep?(step: RecordedStep): CompiledStep | string;

  /** out[i] = op(x[i]) for i < n. `out` may be `x`. */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array, n: number): void;
  /**
   * out[idx] = a[idx · aStrides] op b[idx · bStrides] over every index of `shape` (row-major).
   * Strides are in elements, 0 along broadcast axes; `out` is contiguous with `shape` and may be `a`
   * when `a` is contiguous with the same shape (an in-place update, as the fused step's bias add).
   */
  binary(
    op: BinaryOp,
    a: Float32Array,
    aStrides: readonly number[],
    b: Float32Array,
    bStrides: readonly number[],
    out: Float32Array,
    shape: readonly number[],
  ): void;
  /** out[idx] = x[idx · xStrides]: copies `x` broadcast to `shape` (strides 0 along repeated axes). */
  expand(x: Float32Array, xStrides: readonly number[], out: Float32Array, shape: readonly number[]): void;

  /** out[o, i] = Σ_l x[o, l, i] for x[outer, len, inner]. */
  sum(x: Float32Array, out: Float32Array, outer: number, len: number, inner: number): void;
  /**
   * out[o, i] = max_l x[o, l, i] and indices[o, i] = the first l reaching it, for x[outer, len, inner].
   * NaN wins: a slice holding NaN has max NaN and the index of its first NaN.
   */
  max(x: Float32Array, out: Float32Array, indices: Int32Array, outer: number, len: number, inner: number): void;

  /** out[o, i] = x[o, indices[o, i], i] for x[outer, len, inner]; indices must lie in [0, len). */
  pick(x: Float32Array, indices: Int32Array, out: Float32Array, outer: number, len: number, inner: number): void;
  /** out[o, indices[o, i], i] += src[o, i] for out[outer, len, inner]; the reverse of `pick`. */
  scatterAdd(src: Float32Array, indices: Int32Array, out: Float32Array, outer: number, len: number, inner: number): void;

  /** y[i] += alpha · x[i] for i < n (the SGD step and gradient accumulation). */
  axpy(alpha: number, x: Float32Array, y: Float32Array, n: number): void;

  /**
   * Fused, stable softmax cross-entropy on logits[rows, cols] with labels[rows] in [0, cols):
   * loss[r] = log Σ_j exp(z_rj − m_r) + m_r − z_r,label (m_r = row max), and, unless `dlogits` is null,
   * dlogits[r, j] = softmax(z_r)_j − [j = label]: the gradient of Σ_r loss[r].
   */
  softmaxCrossEntropy(
    logits: Float32Array,
    labels: Int32Array,
    loss: Float32Array,
    dlogits: Float32Array | null,
    rows: number,
    cols: number,
  ): void;

  /**
   * Gathers a float batch from a uint8 table: out[r, c] = src[rows[start + r], c] · scale
   * for r < count, c < rowLength, rounded once to float32 (with scale 1/255 this equals pixel / 255
   * exactly, the data iterators' values). Row indices must lie in the table.
   */
  gatherRows(
    src: Uint8Array,
    rowLength: number,
    rows: RowIndex,
    start: number,
    count: number,
    scale: number,
    out: Float32Array,
  ): void;
}
