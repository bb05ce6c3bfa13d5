// Tensor: a Float32Array plus a row-major shape. Ops and autograd build on this class.

export class Tensor {
  /** Row-major values; length equals the product of `shape`. */
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** Whether gradients flow into this tensor during `backward()`. */
  requiresGrad: boolean;
  /** Accumulated gradient (same shape), or null before the first backward pass. */
  grad: Tensor | null = null;

  constructor(data: Float32Array, shape: readonly number[], options: { requiresGrad?: boolean } = {}) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new RangeError(`Tensor: shape [${shape.join(", ")}] needs ${size} values, got ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
}
