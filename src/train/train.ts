// train: the chapter's training loop over epochs; reports through callbacks and returns the history.

import type { Updater } from "../nn/sgd.ts";
import { evaluateAccuracy } from "./evaluate.ts";
import { StepCapture } from "./stepCapture.ts";
import { trainEpoch } from "./trainEpoch.ts";
import type { BatchMetrics, Batches, EpochMetrics, Loss, Net } from "./types.ts";

export interface TrainOptions {
  /** Called after each epoch with its metrics (d2l draws them with `animator.add`). */
  onEpochEnd?: (metrics: EpochMetrics) => void;
  /** Called after each batch's update. */
  onBatchEnd?: (metrics: BatchMetrics) => void;
  /**
   * Record the training step once and replay its kernel calls on the other batches (see StepCapture):
   * the same updates, without rerunning net, loss, backward and updater; the evaluation's forward pass too.
   * Default false. NOTE: not in d2l.
   */
  capture?: boolean;
}

/**
 * Trains for `numEpochs` epochs, evaluating on `testIter` after each, and returns the metrics of every epoch.
 * Never prints or draws; callers check the chapter's thresholds (train loss < 0.5, accuracies > 0.7) themselves.
 * Throws `NonFiniteLossError` naming the epoch and batch if the loss stops being finite.
 * d2l: `train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)` (§3.6).
 * NOTE: d2l's closing asserts are left to the caller (see examples/from-scratch.ts).
 */
export function train(
  net: Net,
  trainIter: Batches,
  testIter: Batches,
  loss: Loss,
  numEpochs: number,
  updater: Updater,
  options: TrainOptions = {},
): EpochMetrics[] {
  if (!Number.isInteger(numEpochs) || numEpochs < 0) throw new RangeError(`train: numEpochs must be an integer >= 0, got ${numEpochs}`);
  const history: EpochMetrics[] = [];
  // One capture for the training step, one for the evaluation's forward pass.
  const capture = options.capture ? new StepCapture() : false;
  const evaluation = options.capture ? new StepCapture() : false;
  for (let epoch = 1; epoch <= numEpochs; epoch++) {
    const [trainLoss, trainAcc] = trainEpoch(net, trainIter, loss, updater, {
      epoch,
      capture,
      ...(options.onBatchEnd ? { onBatchEnd: options.onBatchEnd } : {}),
    });
    const testAcc = evaluateAccuracy(net, testIter, { capture: evaluation });
    const metrics: EpochMetrics = { epoch, trainLoss, trainAcc, testAcc };
    history.push(metrics);
    options.onEpochEnd?.(metrics);
  }
  return history;
}
