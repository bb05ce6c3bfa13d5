// trainEpoch: one pass over the training batches — forward, loss, backward, update — with its metrics.

import { countCorrect, predictions } from "../nn/accuracy.ts";
import type { Updater } from "../nn/sgd.ts";
import { Accumulator } from "./accumulator.ts";
import { NonFiniteLossError } from "./nonFiniteLoss.ts";
import { runStep, StepCapture, type CapturedStep } from "./stepCapture.ts";
import type { BatchMetrics, Batches, Loss, Net } from "./types.ts";

export interface TrainEpochOptions {
  /** The epoch number reported in metrics and errors (counted from 1); default 1. */
  epoch?: number;
  /** Called after each batch's update. */
  onBatchEnd?: (metrics: BatchMetrics) => void;
  /**
   * Replay the step's kernel calls instead of rerunning net, loss, backward and updater on every batch
   * (see StepCapture: the step must compute the same way on every batch). `true` records anew for this
   * epoch; pass one StepCapture to every epoch to record once. Default false. NOTE: not in d2l.
   */
  capture?: boolean | StepCapture;
}

/**
 * Trains `net` for one epoch and returns [mean loss, accuracy] over the epoch's examples.
 * Each batch: ŷ = net(X), l = loss(ŷ, y), l.sum().backward(), updater(batch size).
 * Throws `NonFiniteLossError` (epoch and batch, from 1) before updating on a NaN or infinite loss.
 * d2l: `train_epoch_ch3(net, train_iter, loss, updater)` (§3.6).
 */
export function trainEpoch(net: Net, trainIter: Batches, loss: Loss, updater: Updater, options: TrainEpochOptions = {}): [number, number] {
  const { epoch = 1, onBatchEnd } = options;
  const capture = options.capture === true ? new StepCapture() : options.capture || null;
  const step: CapturedStep = {
    forward: (X, y) => {
      const yHat = net(X);
      const l = loss(yHat, y);
      // The predictions (d2l's accuracy takes ŷ's argmax) are part of the step, so that a captured step
      // computes them with the rest of its kernels.
      return { yHat, total: l.sum(), predicted: predictions(yHat) };
    },
    update: (total, batchSize) => {
      total.backward();
      updater(batchSize);
    },
  };
  const metric = new Accumulator(3); // [sum of losses, correct predictions, examples]
  let batch = 0;
  const check = (lossSum: number) => {
    if (!Number.isFinite(lossSum)) throw new NonFiniteLossError({ epoch, batch, loss: lossSum });
  };
  for (const [X, y] of trainIter) {
    batch++;
    const { predicted, lossSum } = capture !== null ? capture.run(step, X, y, check) : runStep(step, X, y, check);
    const correct = countCorrect(predicted!, y);
    metric.add(lossSum, correct, y.length);
    onBatchEnd?.({ epoch, batch, size: y.length, loss: lossSum / y.length, accuracy: correct / y.length });
  }
  if (metric.get(2) === 0) throw new RangeError("trainEpoch: the training iterator yielded no examples");
  return [metric.get(0) / metric.get(2), metric.get(1) / metric.get(2)];
}
