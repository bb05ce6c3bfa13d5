// Shape arithmetic: sizes, strides, broadcasting (NumPy rules), axes and reshape with -1.
// Pure functions on number arrays; errors name the op and the shapes involved.

/** Formats a shape for messages: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Number of elements of `shape` (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major strides in elements: `[2, 3, 4]` → `[12, 4, 1]`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The broadcast shape of `a` and `b` (NumPy rules: align on the right; each pair of sizes
 * is equal or one of them is 1). `[2, 3]` with `[3]` → `[2, 3]`; `[2, 1]` with `[1, 3]` → `[2, 3]`.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], op = "broadcast"): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${i}: ${da} vs ${db}); ` +
          `sizes must match or be 1`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape` as if broadcast to `target`: 0 along repeated axes. */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = target.length - shape.length;
  return target.map((_, i) => {
    const d = i - offset;
    return d < 0 || shape[d] === 1 ? 0 : own[d]!;
  });
}

/** Resolves a possibly negative axis (-1 = last) against `ndim`, or throws naming `op`. */
export function normalizeAxis(axis: number, ndim: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new RangeError(`${op}: axis ${axis} is out of range for a tensor with ${ndim} dimension(s)`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Views `shape` around `axis` as [outer, len, inner], the layout the reduction kernels take. */
export function splitAtAxis(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  return {
    outer: sizeOf(shape.slice(0, axis)),
    len: shape[axis]!,
    inner: sizeOf(shape.slice(axis + 1)),
  };
}

/** The shape after reducing `axis`: kept as size 1 with `keepdim`, dropped otherwise. */
export function reducedShape(shape: readonly number[], axis: number, keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

/** Resolves a reshape target with at most one -1 (inferred) against `size` elements. */
export function resolveReshape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new RangeError(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < -1) {
      throw new RangeError(`reshape: dimensions must be non-negative integers or -1, got ${formatShape(shape)}`);
    }
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (sizeOf(resolved) !== size || resolved.some((d) => !Number.isInteger(d))) {
    throw new RangeError(`reshape: cannot view ${formatShape(from)} (${size} elements) as ${formatShape(shape)}`);
  }
  return resolved;
}
