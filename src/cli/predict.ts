// `softmax predict`: the top 3 classes with probabilities for PNG files of one's own or for test images
// by index (computed in the same batch as eval, so the top class is eval's prediction).

import { readFile } from "node:fs/promises";
import { gatherBatch } from "../data/iterator.ts";
import { loadDataset } from "../data/load.ts";
import type { DataSplit } from "../data/split.ts";
import type { SoftmaxModel } from "../io/model.ts";
import type { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import { noGrad } from "../tensor/graph.ts";
import { Tensor } from "../tensor/tensor.ts";
import { defineCommand } from "./command.ts";
import { dataOptions, loadOptionsFrom } from "./data-options.ts";
import { batchSizeOf, regressionFrom } from "../io/modelNet.ts";
import { PNG_PREPROCESSING_HELP, preparePngInput } from "./image-input.ts";
import { dataValuesForModel, loadModelOption, modelOption, requireDataFolder, requireFile } from "./model-options.ts";
import { UsageError } from "./errors.ts";
import { installKernelsForModel, kernelsOption } from "./kernels-option.ts";
import { count } from "../io/count.ts";

/** One ranked class. */
export interface RankedClass {
  class: number;
  name: string;
  probability: number;
}

/**
 * The top `k` classes of each row: ranked by the net's own output (logits, or the naive softmax), ties to
 * the lower class as argmax breaks them, so the first is exactly the prediction eval counts; shown with
 * the (stable) softmax probabilities.
 */
export function rankClasses(model: SoftmaxRegression, X: Tensor, classNames: readonly string[], k = 3): RankedClass[][] {
  return noGrad(() => {
    const scores = model.net(X);
    const probabilities = model.probabilities(X);
    const c = model.numOutputs;
    const rows = scores.shape[0] ?? 0;
    const out: RankedClass[][] = [];
    for (let r = 0; r < rows; r++) {
      const order = Array.from({ length: c }, (_, j) => j);
      const score = (j: number) => scores.data[r * c + j] as number;
      order.sort((a, b) => score(b) - score(a) || a - b);
      out.push(order.slice(0, Math.min(k, c)).map((j) => ({ class: j, name: classNames[j] ?? String(j), probability: probabilities.data[r * c + j] as number })));
    }
    return out;
  });
}

/** The top classes of test image `index`, computed inside its batch of eval's batch size. */
function rankTestImage(model: SoftmaxModel, regression: SoftmaxRegression, test: DataSplit, index: number): RankedClass[] {
  const batchSize = batchSizeOf(model);
  const start = Math.floor(index / batchSize) * batchSize;
  const rows = Array.from({ length: Math.min(batchSize, test.n - start) }, (_, i) => start + i);
  const [X] = gatherBatch(test, rows);
  return rankClasses(regression, X, model.classNames)[index - start] ?? [];
}

function formatRanking(ranking: readonly RankedClass[]): string {
  const width = Math.max(...ranking.map((r) => r.name.length));
  return ranking.map((r, i) => `  ${i + 1}. ${r.name.padEnd(width)}  ${r.probability.toFixed(4)}`).join("\n");
}

export const predictCommand = defineCommand({
  name: "predict",
  summary: "Top 3 classes with probabilities for PNG images or test images",
  description:
    "For each input, prints the 3 most likely classes with their probabilities. --index N takes test\n" +
    "image N (from 0) and shows its true label; repeat it or give a comma list (--index 0,1,2).\n\n" +
    PNG_PREPROCESSING_HELP +
    "\n\nExit codes: 0 ok; 1 an input file that is not a readable PNG, or a bad model or data file;\n" +
    "2 a bad command line (unknown flag, missing --model, a file that does not exist, --index out of range).",
  positionals: { usage: "[IMAGE.png...]", min: 0 },
  options: {
    ...modelOption,
    index: { type: "integer", valueName: "N", min: 0, multiple: true, description: "A test image by its index (from 0); repeatable" },
    ...dataOptions,
    json: { type: "boolean", description: "Print one JSON object per input" },
    ...kernelsOption,
  },
  examples: [
    { command: "softmax predict --model runs/2025-06-01_14-03-22/model.safetensors --index 0 --index 1", description: "The first two test images, with their true labels" },
    { command: "softmax predict --model model.safetensors shoe.png shirt.png", description: "Photos or drawings of one's own, any size and colour" },
    { command: "softmax predict --model model.safetensors --index 0,1,2 --json", description: "JSON, one object per line" },
  ],
  async run(values, positionals, io) {
    const indices = values.index ?? [];
    if (positionals.length === 0 && indices.length === 0) {
      throw new UsageError("softmax predict: nothing to predict; give IMAGE.png files and/or --index N (a test image)");
    }
    for (const file of positionals) await requireFile("predict", "image", file);
    await requireDataFolder("predict", values.data);
    const model = await loadModelOption("predict", values.model);
    const { note: kernelsNote } = await installKernelsForModel(model, values.kernels);
    if (kernelsNote) io.stderr.write(`note: ${kernelsNote}\n`);
    const regression = regressionFrom(model);
    const [rows, cols] = model.inputShape;
    const print = (record: Record<string, unknown>, text: string): void => {
      io.stdout.write(values.json ? `${JSON.stringify(record)}\n` : `${text}\n`);
    };

    for (const file of positionals) {
      const bytes = new Uint8Array(await readFile(file));
      const input = preparePngInput(bytes, file, rows, cols);
      const X = new Tensor(Float32Array.from(input.pixels, (p) => p / 255), [1, rows * cols]);
      const ranking = rankClasses(regression, X, model.classNames)[0] ?? [];
      const how = `${input.source.description}${input.inverted ? ", light background: inverted" : ""}`;
      print({ input: file, image: input.source.description, inverted: input.inverted, top: ranking }, `${file}  (${how})\n${formatRanking(ranking)}`);
    }

    if (indices.length > 0) {
      const { values: dataValues, note } = dataValuesForModel(values, model);
      if (note) io.stderr.write(`note: ${note}\n`);
      const { test, info } = await loadDataset(loadOptionsFrom(dataValues, io));
      if (info.rows !== rows || info.cols !== cols || info.numClasses !== model.classes) {
        throw new Error(
          `${values.model}: the model takes ${rows} × ${cols} images and ${model.classes} classes but ${info.dir} holds ${info.rows} × ${info.cols} and ${info.numClasses}; use a model trained on this data set`,
        );
      }
      const bad = indices.find((i) => i >= test.n);
      if (bad !== undefined) {
        throw new UsageError(`softmax predict: --index ${bad} is out of range; the test split has ${count(test.n)} images (0 to ${test.n - 1})`);
      }
      for (const index of indices) {
        const ranking = rankTestImage(model, regression, test, index);
        const label = test.labels[index] as number;
        const trueName = model.classNames[label] ?? String(label);
        const right = ranking[0]?.class === label;
        print(
          { index, trueClass: label, trueName, correct: right, top: ranking },
          `test image ${index}  (true: ${trueName}; ${right ? "predicted right" : "predicted wrong"})\n${formatRanking(ranking)}`,
        );
      }
    }
    return 0;
  },
});
