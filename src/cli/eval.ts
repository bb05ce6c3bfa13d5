// `softmax eval`: a model file's accuracy, per-class accuracy and confusion matrix on a test split,
// computed exactly as train's end-of-epoch evaluation (same batches, numerics and float32 arithmetic).

import { loadDataset } from "../data/load.ts";
import type { SoftmaxModel } from "../io/model.ts";
import { loadModel } from "../io/files.ts";
import { defineCommand } from "./command.ts";
import { dataOptions, loadOptionsFrom } from "./data-options.ts";
import { batchSizeOf, numericsOf, regressionFrom } from "../io/modelNet.ts";
import { evaluateSplit } from "../train/evaluateSplit.ts";
import type { SplitEvaluation } from "../train/evaluateSplit.ts";
import { dataValuesForModel, modelOption, requireDataFolder, requireFile } from "./model-options.ts";
import { UsageError } from "./errors.ts";
import { installKernelsForModel, kernelsOption } from "./kernels-option.ts";
import { count } from "../io/count.ts";


/** The per-class table and the confusion matrix, aligned, rows named by class (columns by class number). */
export function formatEvaluation(evaluation: SplitEvaluation, classNames: readonly string[]): string {
  const lines: string[] = [];
  const names = classNames.map((n, k) => `${k} ${n}`);
  const nameWidth = Math.max(5, ...names.map((n) => n.length));
  const countWidth = Math.max(5, ...evaluation.perClass.map((c) => `${count(c.correct)} / ${count(c.count)}`.length));
  lines.push(`  ${"class".padEnd(nameWidth)}  accuracy  ${"correct".padStart(countWidth)}`);
  evaluation.perClass.forEach((c, k) => {
    const acc = Number.isFinite(c.accuracy) ? `${(c.accuracy * 100).toFixed(1)}%` : "–";
    lines.push(`  ${(names[k] ?? String(k)).padEnd(nameWidth)}  ${acc.padStart(8)}  ${`${count(c.correct)} / ${count(c.count)}`.padStart(countWidth)}`);
  });
  lines.push("");
  lines.push("confusion matrix (rows: true class; columns: predicted class, by number)");
  const cellWidth = Math.max(3, ...evaluation.confusion.flat().map((v) => String(v).length), String(classNames.length - 1).length) + 1;
  const corner = "true \\ predicted";
  const labelWidth = Math.max(nameWidth, corner.length);
  lines.push(`  ${corner.padEnd(labelWidth)}${classNames.map((_, k) => String(k).padStart(cellWidth)).join("")}`);
  evaluation.confusion.forEach((row, t) => {
    lines.push(`  ${(names[t] ?? String(t)).padEnd(labelWidth)}${row.map((v) => String(v).padStart(cellWidth)).join("")}`);
  });
  return `${lines.join("\n")}\n`;
}

/** What the model file says about its training, for the header line. */
function describeModel(model: SoftmaxModel): string {
  const t = model.training;
  const parts: string[] = [];
  if (typeof t["epochsCompleted"] === "number") parts.push(`${t["epochsCompleted"]} epoch${t["epochsCompleted"] === 1 ? "" : "s"}`);
  if (typeof t["dataTitle"] === "string") parts.push(`on ${t["dataTitle"]}`);
  parts.push(`${numericsOf(model)} softmax`, `batch size ${batchSizeOf(model)}`);
  return parts.join(", ");
}

export const evalCommand = defineCommand({
  name: "eval",
  summary: "Accuracy, per-class accuracy and confusion matrix of a model on the test split",
  description:
    "Evaluates a model file on the test split with the same computation train runs after every epoch\n" +
    "(in-order batches of the training batch size, the training numerics, float32), so it prints exactly\n" +
    "the test accuracy recorded at training time. Without --data or --dataset, the data set the model was\n" +
    "trained on is used, and the kernels it was trained with unless --kernels says otherwise.\n" +
    "Exit codes: 0 ok, 1 unreadable model or data, 2 bad command line.",
  options: {
    ...modelOption,
    ...dataOptions,
    json: { type: "boolean", description: "Print one JSON object, with every test example's predicted class" },
    ...kernelsOption,
  },
  examples: [
    { command: "softmax eval --model runs/2025-06-01_14-03-22/model.safetensors", description: "Accuracy, per-class accuracy and confusion matrix" },
    { command: "softmax eval --model model.safetensors --json | jq .accuracy", description: "The same as JSON, for scripts" },
  ],
  async run(values, _positionals, io) {
    if (values.model === undefined) throw new UsageError("softmax eval: --model FILE is required (a model.safetensors written by softmax train)");
    await requireFile("eval", "--model", values.model);
    await requireDataFolder("eval", values.data);
    const unchecked = await loadModel(values.model);
    const { values: dataValues, note } = dataValuesForModel(values, unchecked);
    if (note) io.stderr.write(`note: ${note}\n`);
    const { test, info } = await loadDataset(loadOptionsFrom(dataValues, io));
    const model = await loadModel(values.model, { expect: { inputs: info.rows * info.cols, classes: info.numClasses } });
    const { installed, note: kernelsNote } = await installKernelsForModel(model, values.kernels);
    if (kernelsNote) io.stderr.write(`note: ${kernelsNote}\n`);
    const batchSize = batchSizeOf(model);
    const evaluation = evaluateSplit(regressionFrom(model).net, test, batchSize);
    const recorded = model.metrics["testAcc"];
    const sameData = model.training["dataDir"] === info.dir || (info.known && model.training["dataset"] === info.name);
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({
          model: values.model,
          dataset: info.name,
          dataDir: info.dir,
          accuracy: evaluation.accuracy,
          correct: evaluation.correct,
          total: evaluation.total,
          recordedTestAcc: typeof recorded === "number" ? recorded : null,
          kernels: installed.name,
          classNames: model.classNames,
          perClass: evaluation.perClass.map((c, k) => ({ class: k, name: model.classNames[k], ...c })),
          confusion: evaluation.confusion,
          predictions: Array.from(evaluation.predictions),
        })}\n`,
      );
      return 0;
    }
    const out: string[] = [];
    out.push(`model     ${values.model}  (${describeModel(model)}; evaluated with the ${installed.name} kernels)`);
    out.push(`data      ${info.title} test split: ${count(test.n)} images  (${info.dir})`);
    let check = "";
    if (typeof recorded === "number" && sameData) {
      check = recorded === evaluation.accuracy ? "  = the test accuracy recorded at training" : `  (recorded at training: ${recorded}; differs)`;
    }
    out.push(`accuracy  ${evaluation.accuracy}  (${count(evaluation.correct)} / ${count(evaluation.total)} correct)${check}`);
    out.push("");
    io.stdout.write(`${out.join("\n")}\n${formatEvaluation(evaluation, model.classNames)}`);
    return 0;
  },
});
