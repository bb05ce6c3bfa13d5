// evaluateAccuracy: the accuracy of a net over a whole iterator, without recording any graph.

import { accuracy } from "../nn/accuracy.ts";
import { noGrad } from "../tensor/graph.ts";
import { Accumulator } from "./accumulator.ts";
import type { Batches, Net } from "./types.ts";

/** The fraction of examples of `dataIter` that `net` classifies correctly. d2l: `evaluate_accuracy` (§3.6). */
export function evaluateAccuracy(net: Net, dataIter: Batches): number {
  return noGrad(() => {
    const metric = new Accumulator(2); // [correct predictions, examples]
    for (const [X, y] of dataIter) metric.add(accuracy(net(X), y), y.length);
    if (metric.get(1) === 0) throw new RangeError("evaluateAccuracy: the data iterator yielded no examples");
    return metric.get(0) / metric.get(1);
  });
}
