// evaluateAccuracy: the accuracy of a net over a whole iterator, without recording any graph.

import { countCorrect, predictions } from "../nn/accuracy.ts";
import { noGrad } from "../tensor/graph.ts";
import { Accumulator } from "./accumulator.ts";
import { StepCapture, type CapturedStep } from "./stepCapture.ts";
import type { Batches, Net } from "./types.ts";

export interface EvaluateOptions {
  /**
   * Replay the forward pass's kernel calls instead of rerunning `net` on every batch (see StepCapture).
   * `true` records anew for this call; pass one StepCapture (for this net, apart from the training step's)
   * to every evaluation to record once. Default false. NOTE: not in d2l.
   */
  capture?: boolean | StepCapture;
}

/** The fraction of examples of `dataIter` that `net` classifies correctly. d2l: `evaluate_accuracy` (§3.6). */
export function evaluateAccuracy(net: Net, dataIter: Batches, options: EvaluateOptions = {}): number {
  const capture = options.capture === true ? new StepCapture() : options.capture || null;
  // d2l: accuracy(net(X), y); the argmax is part of the step, so that a captured one computes it too.
  const step: CapturedStep = {
    forward: (X) => {
      const yHat = net(X);
      return { yHat, total: null, predicted: predictions(yHat) };
    },
  };
  const ignore = () => {};
  return noGrad(() => {
    const metric = new Accumulator(2); // [correct predictions, examples]
    for (const [X, y] of dataIter) {
      const { predicted } = capture !== null ? capture.run(step, X, y, ignore) : step.forward(X, y);
      metric.add(countCorrect(predicted!, y), y.length);
    }
    if (metric.get(1) === 0) throw new RangeError("evaluateAccuracy: the data iterator yielded no examples");
    return metric.get(0) / metric.get(1);
  });
}
