// `softmax train`: the chapter's model (W ~ Normal(0, 0.01), b = 0, minibatch SGD through autograd) on any
// IDX data set, with the live terminal Animator, Ctrl-C that saves what is done, and the run folder.

import { stat } from "node:fs/promises";
import { relative, sep } from "node:path";
import { loadDataset } from "../data/load.ts";
import type { DatasetInfo } from "../data/load.ts";
import { PIXEL_PREPROCESSING } from "../io/model.ts";
import type { SoftmaxModel } from "../io/model.ts";
import { makeRunFolder, writeRunFolder } from "../io/runFolder.ts";
import { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import type { SoftmaxNumerics } from "../nn/softmaxRegression.ts";
import { Rng } from "../tensor/random.ts";
import { trainingAnimator } from "../viz/animator.ts";
import { defineCommand } from "./command.ts";
import type { CommandIo } from "./command.ts";
import { dataOptions, loadOptionsFrom } from "./data-options.ts";
import { evaluateSplit, regressionFrom } from "./evaluation.ts";
import { LiveView, viewModeFor, wantsColor } from "./live-view.ts";
import { loadModelOption, requireDataFolder, requireFile } from "./model-options.ts";
import { runTraining } from "./train-runner.ts";
import type { EpochRecord, TrainOutcome } from "./train-runner.ts";
import { UsageError } from "./errors.ts";
import { packageVersion } from "./version.ts";

/** The chapter's settings (d2l §3.6): 10 epochs, lr 0.1, batch size 256. */
export const TRAIN_DEFAULTS = { epochs: 10, lr: 0.1, batchSize: 256, seed: 0, softmax: "stable" } as const;

const count = (n: number): string => n.toLocaleString("en-US");

/** A path as the user would type it: relative to the current folder when inside it. */
function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) ? rel : path;
}

interface Settings {
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  numerics: SoftmaxNumerics;
  shuffle: boolean;
  init: string | undefined;
}

/** The settings as label/value rows for the report. */
function settingRows(s: Settings, info: DatasetInfo, kernels: string): [string, string][] {
  return [
    ["data set", info.known ? `${info.title} (${info.name})` : info.title],
    ["data folder", info.dir],
    ["hashes", info.verification],
    ["images", `${count(info.trainCount)} train, ${count(info.testCount)} test, ${info.rows} × ${info.cols} px, ${info.numClasses} classes`],
    ["epochs", String(s.epochs)],
    ["learning rate", String(s.lr)],
    ["batch size", String(s.batchSize)],
    ["seed", String(s.seed)],
    ["softmax", s.numerics === "stable" ? "stable (cross-entropy from logits, log-sum-exp)" : "naive (the chapter's softmax, then −log ŷ[y])"],
    ["shuffle", s.shuffle ? "reshuffled every epoch" : "off (file order)"],
    ["initial weights", s.init ?? `W ~ Normal(0, 0.01²), b = 0 (seed ${s.seed})`],
    ["optimizer", "minibatch SGD through autograd"],
    ["kernels", kernels],
  ];
}

/** "interrupted after epoch 2 of 10" (between epochs) or "interrupted in epoch 3 of 10 (after batch 17)". */
export function interruptedWhere(at: { epoch: number; batch: number }, numEpochs: number): string {
  return at.batch === 0 ? `interrupted after epoch ${at.epoch - 1} of ${numEpochs}` : `interrupted in epoch ${at.epoch} of ${numEpochs} (after batch ${at.batch})`;
}

/** The d2l chapter's closing checks, reported (not raised). */
function chapterChecks(last: EpochRecord): string {
  const check = (label: string, ok: boolean) => `${label} ${ok ? "✓" : "✗"}`;
  return `chapter checks: ${check("train loss < 0.5", last.trainLoss < 0.5)}, ${check("train acc > 0.7", last.trainAcc > 0.7)}, ${check("test acc > 0.7", last.testAcc > 0.7)}`;
}

async function trainRun(values: {
  dataset?: string | undefined;
  data?: string | undefined;
  offline?: boolean | undefined;
  epochs?: number | undefined;
  lr?: number | undefined;
  "batch-size"?: number | undefined;
  seed?: number | undefined;
  softmax?: string | undefined;
  init?: string | undefined;
  "no-shuffle"?: boolean | undefined;
  out?: string | undefined;
  json?: boolean | undefined;
}, io: CommandIo): Promise<number> {
  const settings: Settings = {
    epochs: values.epochs ?? TRAIN_DEFAULTS.epochs,
    lr: values.lr ?? TRAIN_DEFAULTS.lr,
    batchSize: values["batch-size"] ?? TRAIN_DEFAULTS.batchSize,
    seed: values.seed ?? TRAIN_DEFAULTS.seed,
    numerics: (values.softmax ?? TRAIN_DEFAULTS.softmax) as SoftmaxNumerics,
    shuffle: values["no-shuffle"] !== true,
    init: values.init,
  };
  await requireDataFolder("train", values.data);
  if (values.init !== undefined) await requireFile("train", "--init", values.init);
  if (values.out !== undefined) {
    const st = await stat(values.out).catch(() => undefined);
    if (st && !st.isDirectory()) throw new UsageError(`softmax train: --out ${values.out}: exists and is not a folder; expected a folder for the run's files`);
  }
  const cwd = process.cwd();
  const startedAt = new Date();

  const { train, test, info } = await loadDataset(loadOptionsFrom(values, io));
  for (const note of info.notes) io.stderr.write(`note: ${note}\n`);
  const inputs = info.rows * info.cols;
  const classes = info.numClasses;
  let W: Float32Array;
  let b: Float32Array;
  if (settings.init !== undefined) {
    const init = await loadModelOption("train", settings.init, { inputs, classes });
    W = Float32Array.from(init.W);
    b = Float32Array.from(init.b);
  } else {
    const fresh = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(settings.seed), numerics: settings.numerics });
    W = fresh.W.data;
    b = fresh.b.data;
  }

  const json = values.json === true;
  const mode = viewModeFor(io.stdout, io.env, json);
  const animator = trainingAnimator(settings.epochs);
  const view = new LiveView(io.stdout, { mode, color: wantsColor(io.stdout, io.env), numEpochs: settings.epochs, examplesPerEpoch: train.n, animator });
  const headline =
    `${info.title}: ${count(train.n)} train and ${count(test.n)} test images of ${info.rows} × ${info.cols} px, ${classes} classes\n` +
    `training ${settings.epochs} epoch${settings.epochs === 1 ? "" : "s"}: lr ${settings.lr}, batch size ${settings.batchSize}, seed ${settings.seed}, ${settings.numerics} softmax` +
    `${settings.shuffle ? "" : ", no shuffle"}${settings.init ? `, from ${settings.init}` : ""}`;
  if (json) {
    io.stdout.write(`${JSON.stringify({ event: "start", dataset: info.name, dataDir: info.dir, trainCount: train.n, testCount: test.n, rows: info.rows, cols: info.cols, classes, epochs: settings.epochs, lr: settings.lr, batchSize: settings.batchSize, seed: settings.seed, softmax: settings.numerics, shuffle: settings.shuffle, init: settings.init ?? null })}\n`);
  } else {
    io.stdout.write(`${headline}\n`);
  }

  const started = performance.now();
  let outcome: TrainOutcome;
  view.start();
  try {
    outcome = await runTraining(
      { train, test, epochs: settings.epochs, lr: settings.lr, batchSize: settings.batchSize, seed: settings.seed, numerics: settings.numerics, shuffle: settings.shuffle, W, b },
      {
        onStart: ({ numBatches }) => view.batch({ epoch: 1, batch: 0, numBatches, examples: 0 }),
        onBatch: (p) => view.batch(p),
        onEpoch: (record) => {
          animator.add(record.epoch, [record.trainLoss, record.trainAcc, record.testAcc]);
          view.epoch(record, record.seconds);
        },
        onStopRequested: () => {
          view.stopRequested();
          if (mode !== "tty") io.stderr.write("interrupt: stopping after the current batch to save the run (Ctrl-C again to abort)\n");
        },
        onAbort: () => {
          view.abort();
          io.stderr.write("aborted: nothing more was written\n");
        },
      },
    );
  } catch (error) {
    view.abort();
    throw error;
  }
  view.finish();
  const seconds = (performance.now() - started) / 1000;

  // The weights of the last completed epoch (or the starting ones if none completed).
  const last = outcome.history.at(-1);
  const finalW = last?.W ?? W;
  const finalB = last?.b ?? b;
  const finishedAt = new Date();
  const model: SoftmaxModel = {
    W: finalW,
    b: finalB,
    inputs,
    classes,
    classNames: [...info.classNames],
    inputShape: [info.rows, info.cols],
    preprocessing: PIXEL_PREPROCESSING,
    training: {
      dataset: info.name,
      dataTitle: info.title,
      dataDir: info.dir,
      epochs: settings.epochs,
      epochsCompleted: outcome.history.length,
      lr: settings.lr,
      batchSize: settings.batchSize,
      seed: settings.seed,
      softmax: settings.numerics,
      shuffle: settings.shuffle,
      init: settings.init ?? null,
      interrupted: outcome.interrupted !== undefined,
      kernels: outcome.kernels,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    },
    metrics: {},
  };
  // The same call train makes after each epoch, so the accuracy equals the last epoch's test accuracy.
  const evaluation = evaluateSplit(regressionFrom(model).net, test, settings.batchSize);
  model.metrics = last
    ? { epochs: last.epoch, trainLoss: last.trainLoss, trainAcc: last.trainAcc, testAcc: last.testAcc, seconds: Math.round(seconds * 1000) / 1000 }
    : { epochs: 0, testAcc: evaluation.accuracy, seconds: Math.round(seconds * 1000) / 1000 };

  const sampleCount = Math.min(18, test.n);
  const dir = await makeRunFolder({ ...(values.out !== undefined && { out: values.out }), cwd, date: startedAt });
  const files = await writeRunFolder(dir, {
    model,
    datasetTitle: info.title,
    runName: dir.split(sep).at(-1) ?? dir,
    startedAt,
    seconds,
    numEpochs: settings.epochs,
    history: outcome.history.map(({ epoch, trainLoss, trainAcc, testAcc, seconds: s }) => ({ epoch, trainLoss, trainAcc, testAcc, seconds: s })),
    settings: settingRows(settings, info, outcome.kernels),
    trainCount: train.n,
    testCount: test.n,
    testAccuracy: evaluation.accuracy,
    testCorrect: evaluation.correct,
    perClass: evaluation.perClass,
    confusion: evaluation.confusion,
    sample: {
      images: test.images.subarray(0, sampleCount * inputs),
      trues: test.labels.subarray(0, sampleCount),
      preds: evaluation.predictions.subarray(0, sampleCount),
    },
    ...(outcome.interrupted && { interrupted: { ...outcome.interrupted, epochsCompleted: outcome.history.length } }),
    version: packageVersion(),
  });

  const folder = shownPath(dir, cwd);
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        event: "summary",
        epochs: outcome.history.length,
        numEpochs: settings.epochs,
        interrupted: outcome.interrupted !== undefined,
        trainLoss: last?.trainLoss ?? null,
        trainAcc: last?.trainAcc ?? null,
        testAcc: evaluation.accuracy,
        seconds: Math.round(seconds * 1000) / 1000,
        runFolder: dir,
        files,
      })}\n`,
    );
  } else {
    if (outcome.interrupted) {
      const done = outcome.history.length;
      io.stdout.write(
        `${interruptedWhere(outcome.interrupted, settings.epochs)}: saved the run for the ${done} completed epoch${done === 1 ? "" : "s"}\n`,
      );
    }
    if (last) {
      io.stdout.write(`final (epoch ${last.epoch}): train loss ${last.trainLoss.toFixed(4)}  train acc ${last.trainAcc.toFixed(4)}  test acc ${last.testAcc.toFixed(4)}  (${seconds.toFixed(1)} s)\n`);
      io.stdout.write(`${chapterChecks(last)}\n`);
    } else {
      io.stdout.write(`no epoch completed; the saved model holds the initial weights (test acc ${evaluation.accuracy.toFixed(4)})\n`);
    }
    io.stdout.write(`run folder: ${folder}${sep}  (open ${folder}${sep}report.html)\n`);
  }
  return outcome.interrupted ? 130 : 0;
}

export const trainCommand = defineCommand({
  name: "train",
  summary: "Train softmax regression with live progress and write a run folder",
  description:
    "Trains the chapter's model: W ~ Normal(0, 0.01²) and b = 0, minibatch SGD through the engine's autograd,\n" +
    "evaluating on the test split after every epoch. The model's shape follows the data: any IDX data set\n" +
    "(--data DIR with the standard file names) of any image size and class count trains as is.\n" +
    "On a terminal a live chart is redrawn in place; otherwise one line per epoch (--json: JSON lines).\n" +
    "Writes runs/<time>/ (or --out DIR): model.safetensors, metrics.csv, curves.svg, curves.png,\n" +
    "predictions.png, weights.png, confusion.csv and report.html, and prints its path and the final metrics.\n" +
    "Ctrl-C stops after the current batch and saves the run for the epochs completed (exit 130); a second\n" +
    "Ctrl-C aborts at once. A non-finite loss stops training with exit 1, naming the epoch and batch.",
  options: {
    ...dataOptions,
    epochs: { type: "integer", valueName: "N", min: 1, defaultText: "10", description: "Passes over the training set" },
    lr: { type: "number", valueName: "RATE", greaterThan: 0, defaultText: "0.1", description: "Learning rate of minibatch SGD" },
    "batch-size": { type: "integer", valueName: "N", min: 1, defaultText: "256", description: "Examples per minibatch" },
    seed: { type: "integer", valueName: "N", min: 0, max: 4294967295, defaultText: "0", description: "Seed of the initial weights and the shuffling" },
    softmax: {
      type: "string",
      valueName: "KIND",
      choices: ["stable", "naive"],
      defaultText: "stable",
      description: "stable: cross-entropy from logits; naive: the chapter's softmax, then −log ŷ[y]",
    },
    init: { type: "string", valueName: "MODEL", description: "Start from a model file's weights (its shape must fit the data set)" },
    "no-shuffle": { type: "boolean", description: "Keep the training batches in file order" },
    out: { type: "string", valueName: "DIR", description: "Write the run's files into DIR instead of runs/<time>/" },
    json: { type: "boolean", description: "Print one JSON object per epoch and a final summary object instead" },
  },
  examples: [
    { command: "softmax train", description: "The chapter's run: 10 epochs, lr 0.1, batch size 256, on Fashion-MNIST" },
    { command: "softmax train --epochs 3 --lr 0.05 --out runs/quick", description: "A shorter run with its files in runs/quick/" },
    { command: "softmax train --softmax naive --seed 1", description: "The chapter's naive softmax + cross-entropy, another initialisation" },
    { command: "softmax train --init runs/quick/model.safetensors --no-shuffle", description: "Continue from a saved model, batches in file order" },
    { command: "softmax train --data ./my-idx --json > log.jsonl", description: "Train on an IDX data set of one's own; JSON lines for machines" },
  ],
  async run(values, _positionals, io) {
    return trainRun(values, io);
  },
});
