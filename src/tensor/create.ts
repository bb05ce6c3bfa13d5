// Tensor creation: from nested arrays or typed arrays, zeros, ones, and seeded normal draws.
// Every creator copies its input; `new Tensor(data, shape)` is the no-copy path.

import { defaultRng, type Rng } from "./random.ts";
import { formatShape, sizeOf } from "./shape.ts";
import { Tensor, type NestedArray } from "./tensor.ts";

/** Options shared by the creators. */
export interface CreateOptions {
  /** Track gradients for this tensor (a parameter). */
  requiresGrad?: boolean;
}

function checkShape(shape: readonly number[], op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${op}: sizes must be non-negative integers, got ${formatShape(shape)}`);
  }
}

/** The shape of a nested array, checking that it is not ragged. */
function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  const check = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== "number") throw new TypeError(`tensor: ragged nested array (expected a number at depth ${dim})`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new TypeError(`tensor: ragged nested array (expected ${shape[dim]} entries at depth ${dim}; shape ${formatShape(shape)})`);
    }
    for (const item of v) check(item, dim + 1);
  };
  check(values, 0);
  return shape;
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`, shape inferred) or from flat values
 * with an explicit shape (`tensor(float32Array, [2, 3])`). Copies the values. PyTorch: `torch.tensor`.
 */
export function tensor(
  values: NestedArray | ArrayLike<number>,
  shape?: readonly number[],
  options: CreateOptions = {},
): Tensor {
  let data: Float32Array;
  let resolved: readonly number[];
  if (typeof values === "number" || Array.isArray(values)) {
    const nested = values as NestedArray;
    const inferred = inferShape(nested);
    const flat: number[] = [];
    const collect = (v: NestedArray): void => {
      if (typeof v === "number") flat.push(v);
      else for (const item of v) collect(item);
    };
    collect(nested);
    data = Float32Array.from(flat);
    resolved = shape ?? inferred;
  } else {
    data = Float32Array.from(values as ArrayLike<number>);
    resolved = shape ?? [data.length];
  }
  checkShape(resolved, "tensor");
  if (sizeOf(resolved) !== data.length) {
    throw new RangeError(`tensor: shape ${formatShape(resolved)} needs ${sizeOf(resolved)} values, got ${data.length}`);
  }
  return new Tensor(data, resolved, options);
}

/** A tensor of zeros. d2l: `torch.zeros(num_outputs, requires_grad=True)` → `zeros([10], { requiresGrad: true })`. */
export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  checkShape(shape, "zeros");
  return new Tensor(new Float32Array(sizeOf(shape)), shape, options);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  checkShape(shape, "ones");
  return new Tensor(new Float32Array(sizeOf(shape)).fill(1), shape, options);
}

/** Options of `normal`: gradient tracking and the generator to draw from. */
export interface NormalOptions extends CreateOptions {
  /** The generator (default: `defaultRng()`, reseeded by `manualSeed`). */
  rng?: Rng;
}

/**
 * Values drawn from Normal(mean, std²), row-major, from a seeded generator.
 * d2l: `torch.normal(0, 0.01, size=(784, 10), requires_grad=True)` → `normal(0, 0.01, [784, 10], { requiresGrad: true })`.
 */
export function normal(mean: number, std: number, shape: readonly number[], options: NormalOptions = {}): Tensor {
  checkShape(shape, "normal");
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new RangeError(`normal: mean must be finite and std finite and >= 0, got mean ${mean}, std ${std}`);
  }
  const rng = options.rng ?? defaultRng();
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(mean, std);
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? false });
}
