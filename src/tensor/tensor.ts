// Tensor: a Float32Array (its Storage) plus a row-major shape, with PyTorch-style methods over the primitive ops.
// The arithmetic lives in ops.ts (forward) and backward.ts (gradients); this file only delegates.

import { backward } from "./autograd.ts";
import type { GraphNode } from "./graph.ts";
import * as ops from "./ops.ts";
import type { IndexLike, ReduceOptions, TensorLike } from "./ops.ts";
import { formatShape } from "./shape.ts";
import { Storage } from "./storage.ts";

/** Nested arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

export class Tensor {
  /** Where the values live; tensors from `reshape` share it. */
  readonly storage: Storage;
  readonly shape: readonly number[];
  /** Whether gradients flow into this tensor during `backward()`. */
  requiresGrad: boolean;
  /**
   * Accumulated gradient (same shape), or null before the first backward pass and after `zeroGrad`.
   * Treat it as read-only: it may share storage with other gradients of the same pass.
   */
  grad: Tensor | null = null;
  /** The op that made this tensor, while its graph is alive (null for leaves and after backward). */
  node: GraphNode | null = null;
  /** Set once backward has used and dropped this tensor's node: a second backward through it must fail. */
  graphFreed = false;

  /** A tensor over `data` (a Float32Array, not copied, or a Storage to share), laid out as `shape`. */
  constructor(data: Float32Array | Storage, shape: readonly number[], options: { requiresGrad?: boolean } = {}) {
    let size = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`Tensor: sizes must be non-negative integers, got [${shape.join(", ")}]`);
      size *= d;
    }
    const storage = data instanceof Storage ? data : Storage.of(data);
    if (storage.size !== size) {
      throw new RangeError(`Tensor: shape [${shape.join(", ")}] needs ${size} values, got ${storage.size}`);
    }
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** Row-major values; length equals the product of `shape`. */
  get data(): Float32Array {
    return this.storage.data;
  }

  /** Number of elements. */
  get size(): number {
    return this.storage.size;
  }

  /** Number of dimensions (0 for a scalar). */
  get ndim(): number {
    return this.shape.length;
  }

  /** this + other, broadcast. */
  add(other: TensorLike): Tensor {
    return ops.add(this, other);
  }

  /** this − other, broadcast. */
  sub(other: TensorLike): Tensor {
    return ops.sub(this, other);
  }

  /** this · other elementwise, broadcast. */
  mul(other: TensorLike): Tensor {
    return ops.mul(this, other);
  }

  /** this / other elementwise, broadcast. */
  div(other: TensorLike): Tensor {
    return ops.div(this, other);
  }

  neg(): Tensor {
    return ops.neg(this);
  }

  exp(): Tensor {
    return ops.exp(this);
  }

  log(): Tensor {
    return ops.log(this);
  }

  /** Sum over `axis`, or of everything (PyTorch: `x.sum(1, keepdim=True)` → `x.sum(1, { keepdim: true })`). */
  sum(axis?: number, options?: ReduceOptions): Tensor {
    return ops.sum(this, axis, options);
  }

  /** Mean over `axis`, or of everything: the sum divided by the number of summed elements. */
  mean(axis?: number, options?: ReduceOptions): Tensor {
    const s = ops.sum(this, axis, options);
    return s.div(this.size / Math.max(s.size, 1));
  }

  /** Max over `axis`, or of everything; NaN propagates. */
  max(axis?: number, options?: ReduceOptions): Tensor {
    return ops.max(this, axis, options);
  }

  /** Indices of the maxima along `axis` (default: the last), as class indices. d2l: `y_hat.argmax(axis=1)`. */
  argmax(axis = -1): Int32Array {
    return ops.argmax(this, axis);
  }

  /** Matrix product: [m, k] · [k, n] → [m, n]. */
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }

  /** Row pick: [n, c] → [n] with out[i] = this[i, index[i]]. d2l: `y_hat[range(len(y_hat)), y]`. */
  pick(index: IndexLike): Tensor {
    return ops.pick(this, index);
  }

  /** Same values, new shape (one size may be -1). Shares the data. d2l: `X.reshape((-1, 784))`. */
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }

  /** The same data, cut from the graph: never requires grad. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape);
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad, adding it into
   * their `.grad`. Without `grad`, this tensor must hold one element (d(this)/d(this) = 1).
   * The graph is freed afterwards. d2l/PyTorch: `l.sum().backward()`.
   */
  backward(grad?: Tensor): void {
    backward(this, grad);
  }

  /** The single value of a one-element tensor. d2l/PyTorch: `float(l.sum())`, `x.item()`. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: expects a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The values as nested arrays following the shape (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** `tensor([[0.25, 0.75]], shape=[1, 2])`, values to 4 significant digits. */
  toString(): string {
    const format = (v: NestedArray): string =>
      typeof v === "number" ? String(Number(v.toPrecision(4))) : `[${v.map(format).join(", ")}]`;
    const grad = this.requiresGrad ? ", requiresGrad" : "";
    return `tensor(${format(this.toArray())}, shape=${formatShape(this.shape)}${grad})`;
  }
}
