// The engine's model around a model file's weights, and the training settings a model file records
// that evaluation must repeat (numerics, batch size). Isomorphic.

import type { SoftmaxModel } from "./model.ts";
import { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import type { SoftmaxNumerics } from "../nn/softmaxRegression.ts";
import { Tensor } from "../tensor/tensor.ts";

/** The numerics a model file was trained with (its `training.softmax`), "stable" when not recorded. */
export function numericsOf(model: SoftmaxModel): SoftmaxNumerics {
  return model.training["softmax"] === "naive" ? "naive" : "stable";
}

/** The batch size a model file was trained (and so evaluated) with; 256 when not recorded. */
export function batchSizeOf(model: SoftmaxModel): number {
  const b = model.training["batchSize"];
  return typeof b === "number" && Number.isInteger(b) && b > 0 ? b : 256;
}

/** The engine's model around a model file's weights, with the numerics it was trained with. */
export function regressionFrom(model: SoftmaxModel, numerics: SoftmaxNumerics = numericsOf(model)): SoftmaxRegression {
  return SoftmaxRegression.fromParams(new Tensor(model.W, [model.inputs, model.classes]), new Tensor(model.b, [model.classes]), { numerics });
}
