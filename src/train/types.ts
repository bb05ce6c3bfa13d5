// The shapes training code plugs together: nets, losses, minibatch iterables, and the metrics reported.

import type { Tensor } from "../tensor/tensor.ts";

/** A model: X [n, ...] → scores or probabilities [n, classes]. d2l: `net`. */
export type Net = (X: Tensor) => Tensor;

/** A per-example loss: (yHat [n, classes], y [n]) → [n]. d2l: `loss` (e.g. `cross_entropy`). */
export type Loss = (yHat: Tensor, y: Int32Array) => Tensor;

/** Minibatches `[X, y]`: X float32 [B, ...], y class indices [B]. d2l: `for X, y in data_iter`. */
export type Batches = Iterable<readonly [Tensor, Int32Array]>;

/** What `train` reports after each epoch (epochs count from 1). d2l: one `animator.add` point. */
export interface EpochMetrics {
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  trainLoss: number;
  /** Training accuracy over the epoch (a rate in [0, 1]), measured while the weights were moving. */
  trainAcc: number;
  /** Accuracy on the test iterator after the epoch. */
  testAcc: number;
}

/** What `trainEpoch` reports after each batch (epoch and batch count from 1). */
export interface BatchMetrics {
  epoch: number;
  batch: number;
  /** Examples in this batch. */
  size: number;
  /** Mean loss over this batch. */
  loss: number;
  /** Accuracy on this batch (a rate). */
  accuracy: number;
}
