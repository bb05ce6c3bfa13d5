// Minibatch iterators over an in-memory split (d2l: the `DataLoader`s of `load_data_fashion_mnist`).
// Isomorphic: no `node:` imports. Pixels stay uint8 in the split and are scaled to [0, 1] per batch.

import { Rng } from "../tensor/random.ts";
import { Storage } from "../tensor/storage.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { DataSplit } from "./split.ts";


export interface DataIterOptions {
  batchSize: number;
  /** Reshuffle the examples at the start of every epoch (training); default false (test, in order). */
  shuffle?: boolean;
  /** Seed of the iterator's own generator (used only when shuffling); default 0. */
  seed?: number;
}

/**
 * Iterates one split in minibatches: `for (const [X, y] of iter)`, with `X` a float32 Tensor
 * `[B, rows*cols]` of pixel / 255 and `y` an Int32Array `[B]` of class indices. Each new iteration is
 * a new epoch: with `shuffle`, the order is a fresh seeded permutation (same seed ⇒ same sequence of
 * orders); without, examples come in file order. The last batch keeps the remainder (may be < B).
 * d2l: `data.DataLoader(dataset, batch_size, shuffle=...)` as returned by `load_data_fashion_mnist`.
 */
export class DataIter implements Iterable<[Tensor, Int32Array]> {
  /** The split read (uint8 pixels and labels), for fast paths that gather batches themselves. */
  readonly split: DataSplit;
  readonly batchSize: number;
  readonly shuffle: boolean;
  private readonly rng: Rng;
  private epochs = 0;
  private currentOrder: Uint32Array;

  constructor(split: DataSplit, options: DataIterOptions) {
    const { batchSize, shuffle = false, seed = 0 } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataIter: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.split = split;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.rng = new Rng(seed);
    this.currentOrder = identity(split.n);
  }

  get numExamples(): number {
    return this.split.n;
  }

  /** Batches per epoch, the last one partial when `batchSize` does not divide `numExamples`. */
  get numBatches(): number {
    return Math.ceil(this.split.n / this.batchSize);
  }

  /** Pixels per example (`rows * cols`), the width of `X`. */
  get numInputs(): number {
    return this.split.rows * this.split.cols;
  }

  /** Epochs started so far (each iteration, or call to `indexBatches`, starts one). */
  get epoch(): number {
    return this.epochs;
  }

  /** Example indices in the order of the latest epoch started (file order before the first). */
  get order(): Uint32Array {
    return this.currentOrder;
  }

  /**
   * Starts a new epoch and yields the example indices of each batch (views into that epoch's order).
   * The building block for fast paths that read `split.images` directly.
   */
  *indexBatches(): Generator<Uint32Array, void, undefined> {
    this.epochs += 1;
    // A fresh array per shuffled epoch, so an epoch still being read is never reshuffled under it.
    const order = this.shuffle ? this.rng.shuffle(identity(this.split.n)) : this.currentOrder;
    this.currentOrder = order;
    for (let start = 0; start < order.length; start += this.batchSize) {
      yield order.subarray(start, Math.min(start + this.batchSize, order.length));
    }
  }

  *[Symbol.iterator](): Iterator<[Tensor, Int32Array]> {
    for (const indices of this.indexBatches()) yield gatherBatch(this.split, indices);
  }
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/**
 * Gathers the examples `indices` of a split into a batch: `X` float32 `[B, rows*cols]` = pixel / 255,
 * `y` int32 `[B]`. `X` keeps the indices (copied) and gathers its floats when first read, or lets
 * kernels with a memory of their own gather them there (see Storage). Throws on an index outside the split.
 */
export function gatherBatch(split: DataSplit, indices: ArrayLike<number>): [Tensor, Int32Array] {
  const d = split.rows * split.cols;
  const b = indices.length;
  // A typed array's constructor copies another's in one go (`from` walks it as an iterable).
  const rows = new Uint32Array(indices);
  const y = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    const row = rows[i]!;
    if (!(row < split.n && row === indices[i])) throw new RangeError(`gatherBatch: index ${indices[i]} at ${i} is not an example of the split (0 to ${split.n - 1})`);
    y[i] = split.labels[row]!;
  }
  const X = Storage.gathered({ src: split.images, rowLength: d, rows, start: 0, count: b, scale: 1 / 255 });
  return [new Tensor(X, [b, d]), y];
}
