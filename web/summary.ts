// What the page shows about a model on the test split: `softmax eval`'s own computation (evaluateSplit:
// evaluateAccuracy over in-order batches of the training batch size) plus the sample images' probabilities.

import { evaluateSplit } from "../src/train/evaluateSplit.ts";
import type { DataSplit } from "../src/data/split.ts";
import type { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { noGrad } from "../src/tensor/graph.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import type { EvaluationSummary } from "./messages.ts";

/** The grid shows this many of the first test images (24 fills 3, 4, 6 or 8 columns evenly). */
export const SAMPLE_COUNT = 24;

/**
 * Evaluates `model` on `test` exactly as `softmax eval` does (so the accuracy equals the CLI's for the same
 * weights, numerics and batch size) and adds the first `SAMPLE_COUNT` images' predictions and probabilities.
 */
export function summarize(model: SoftmaxRegression, test: DataSplit, batchSize: number): EvaluationSummary {
  const evaluation = evaluateSplit(model.net, test, batchSize);
  const samples = Math.min(SAMPLE_COUNT, test.n);
  const inputs = test.rows * test.cols;
  const pixels = new Float32Array(samples * inputs);
  for (let i = 0; i < pixels.length; i++) pixels[i] = test.images[i]! / 255;
  const probs = noGrad(() => model.probabilities(new Tensor(pixels, [samples, inputs])));
  return {
    accuracy: evaluation.accuracy,
    correct: evaluation.correct,
    total: evaluation.total,
    perClass: evaluation.perClass,
    samplePreds: evaluation.predictions.slice(0, samples),
    sampleProbs: Float32Array.from(probs.data),
  };
}
