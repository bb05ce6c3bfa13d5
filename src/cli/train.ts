// `softmax train`: the chapter's model (W ~ Normal(0, 0.01), b = 0, minibatch SGD) on any IDX data set,
// through the resident WebAssembly trainer or autograd, with the live terminal Animator, Ctrl-C that
// saves what is done, the run folder, and --verbose phase timings.

import { stat } from "node:fs/promises";
import { basename, relative, sep } from "node:path";
import { loadDataset } from "../data/load.ts";
import type { DatasetInfo } from "../data/load.ts";
import { modelRecord } from "../io/model.ts";
import type { SoftmaxModel } from "../io/model.ts";
import { SoftmaxRegression } from "../nn/softmaxRegression.ts";
import type { SoftmaxNumerics } from "../nn/softmaxRegression.ts";
import type { KernelsChoice } from "../kernels/select.ts";
import { Rng } from "../tensor/random.ts";
import { trainingAnimator } from "../viz/animator.ts";
import type { Animator } from "../viz/animator.ts";
import { defineCommand } from "./command.ts";
import type { CommandIo, OptionSpec, OptionValues } from "./command.ts";
import { dataOptions, loadOptionsFrom } from "./data-options.ts";
import { regressionFrom } from "../io/modelNet.ts";
import { evaluateSplit, evaluationFromPredictions } from "../train/evaluateSplit.ts";
import { installKernels, kernelsOption } from "./kernels-option.ts";
import { LiveView, viewModeFor, wantsColor } from "./live-view.ts";
import type { ViewMode } from "./live-view.ts";
import { loadModelOption, requireDataFolder, requireFile } from "./model-options.ts";
import { runTraining, startTrainingThread } from "./train-runner.ts";
import type { TrainingThread } from "./train-runner.ts";
import type { EpochRecord, TrainOutcome } from "./train-runner.ts";
import type { TrainHyperparameters, WorkerTimings } from "./train-worker.ts";
import { UsageError } from "./errors.ts";
import { packageVersion } from "./version.ts";
import { PhaseLog, threadPhaseTable } from "./train-phases.ts";
import { chooseTrainingPath, trainerOptions } from "./trainer-option.ts";
import type { TrainingPath } from "./trainer-option.ts";
import { count } from "../io/count.ts";
import type { WasmVariant } from "../kernels/wasm/load.ts";

/** The chapter's settings (d2l §3.6): 10 epochs, lr 0.1, batch size 256. */
export const TRAIN_DEFAULTS = { epochs: 10, lr: 0.1, batchSize: 256, seed: 0, softmax: "stable" } as const;


/** A path as the user would type it: relative to the current folder when inside it. */
function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) ? rel : path;
}

interface Settings extends TrainHyperparameters {
  init: string | undefined;
  path: TrainingPath;
}

/** How the run trains, for the report: the path and what it computes. */
function optimizerText(path: TrainingPath): string {
  return path.trainer === "fused"
    ? `minibatch SGD, fused WebAssembly trainer (analytic gradients, ${path.threads} thread${path.threads === 1 ? "" : "s"})`
    : `minibatch SGD through autograd (train() + sgd, the step captured; each batch on ${path.threads} thread${path.threads === 1 ? "" : "s"})`;
}

/** "kernels wasm-relaxed-simd · trainer fused · 2 threads": the log line's account of how the run computes. */
function computeText(kernels: string, path: TrainingPath): string {
  return `kernels ${kernels} · trainer ${path.trainer} · ${path.threads} thread${path.threads === 1 ? "" : "s"}`;
}

/** The kernels row: the set's name, with what it means, and the fused trainer's build when that one differs. */
function kernelsText(kernels: string, build?: WasmVariant): string {
  const meaning = kernels === "wasm-relaxed-simd" ? `${kernels} (WebAssembly SIMD, fused multiply-add)` : kernels;
  const buildFuses = build === "relaxed";
  if (build === undefined || buildFuses === (kernels === "wasm-relaxed-simd")) return meaning;
  return `${meaning}; the fused trainer's build: ${buildFuses ? "relaxed SIMD (fused multiply-add)" : "SIMD (multiply, then add)"}`;
}

/** The settings as label/value rows for the report. */
function settingRows(s: Settings, info: DatasetInfo, kernels: string, build?: WasmVariant): [string, string][] {
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
    ["optimizer", optimizerText(s.path)],
    ["trainer", `${s.path.trainer} (${s.path.reason}); ${s.path.threadsReason}`],
    ["kernels", kernelsText(kernels, build)],
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

/** The flags of `softmax train`. */
const trainOptions = {
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
  ...kernelsOption,
  ...trainerOptions,
  verbose: { type: "boolean", description: "At the end, print to stderr where the time went: every phase in ms, and the fused trainer's per-thread phases" },
} as const satisfies Record<string, OptionSpec>;

/** Checks the files and folders named on the command line before any data is read (exit 2 when wrong). */
async function checkPaths(values: OptionValues<typeof trainOptions>): Promise<void> {
  await requireDataFolder("train", values.data);
  if (values.init !== undefined) await requireFile("train", "--init", values.init);
  if (values.out !== undefined) {
    const st = await stat(values.out).catch(() => undefined);
    if (st && !st.isDirectory()) throw new UsageError(`softmax train: --out ${values.out}: exists and is not a folder; expected a folder for the run's files`);
  }
}

/** The starting weights: a model file's (shape checked against the data), else W ~ Normal(0, 0.01²), b = 0. */
async function startingWeights(s: Settings, info: DatasetInfo): Promise<{ W: Float32Array; b: Float32Array }> {
  const inputs = info.rows * info.cols;
  if (s.init !== undefined) {
    const init = await loadModelOption("train", s.init, { inputs, classes: info.numClasses });
    return { W: Float32Array.from(init.W), b: Float32Array.from(init.b) };
  }
  const fresh = new SoftmaxRegression({ numInputs: inputs, numOutputs: info.numClasses, rng: new Rng(s.seed), numerics: s.numerics });
  return { W: fresh.W.data, b: fresh.b.data };
}

/** The model file's contents: the weights at the end of the last completed epoch, with what produced them. */
function modelOf(s: Settings, info: DatasetInfo, outcome: TrainOutcome, start: { W: Float32Array; b: Float32Array }, times: { startedAt: Date; seconds: number }): SoftmaxModel {
  const last = outcome.history.at(-1);
  return modelRecord({
    W: last?.W ?? start.W,
    b: last?.b ?? start.b,
    data: { name: info.name, title: info.title, dir: info.dir, rows: info.rows, cols: info.cols, classNames: info.classNames },
    training: {
      epochs: s.epochs,
      lr: s.lr,
      batchSize: s.batchSize,
      seed: s.seed,
      softmax: s.numerics,
      shuffle: s.shuffle,
      init: s.init ?? null,
      interrupted: outcome.interrupted !== undefined,
      kernels: outcome.kernels,
      trainer: s.path.trainer,
      threads: s.path.threads,
      startedAt: times.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    },
    history: outcome.history,
    seconds: times.seconds,
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Trains on the worker thread while the live view shows it; Ctrl-C handling lives in runTraining. */
async function trainWithView(
  job: Parameters<typeof runTraining>[0],
  thread: TrainingThread,
  view: LiveView,
  animator: Animator,
  quiet: { mode: ViewMode; stderr: CommandIo["stderr"] },
): Promise<TrainOutcome> {
  view.start();
  try {
    const outcome = await runTraining(job, {
      onStart: ({ numBatches }) => view.batch({ epoch: 1, batch: 0, numBatches, examples: 0 }),
      onBatch: (p) => view.batch(p),
      onEpoch: (record) => {
        animator.add(record.epoch, [record.trainLoss, record.trainAcc, record.testAcc]);
        view.epoch(record, record.seconds);
      },
      onStopRequested: () => {
        view.stopRequested();
        if (quiet.mode !== "tty") quiet.stderr.write("interrupt: stopping after the current batch to save the run (Ctrl-C again to abort)\n");
      },
      onAbort: () => {
        view.abort();
        quiet.stderr.write("aborted: nothing more was written\n");
      },
    }, thread);
    view.finish();
    return outcome;
  } catch (error) {
    view.abort();
    throw error;
  }
}

/** What the terminal shows after training: why it stopped, the final metrics, the chapter's checks, the folder. */
function summaryText(s: Settings, outcome: TrainOutcome, testAcc: number, seconds: number, folder: string): string {
  const lines: string[] = [];
  const done = outcome.history.length;
  const last = outcome.history.at(-1);
  if (outcome.interrupted) lines.push(`${interruptedWhere(outcome.interrupted, s.epochs)}: saved the run for the ${done} completed epoch${done === 1 ? "" : "s"}`);
  if (last) {
    lines.push(`final (epoch ${last.epoch}): train loss ${last.trainLoss.toFixed(4)}  train acc ${last.trainAcc.toFixed(4)}  test acc ${last.testAcc.toFixed(4)}  (${seconds.toFixed(1)} s)`);
    lines.push(chapterChecks(last));
  } else {
    lines.push(`no epoch completed; the saved model holds the initial weights (test acc ${testAcc.toFixed(4)})`);
  }
  lines.push(`run folder: ${folder}${sep}  (open ${folder}${sep}report.html)`);
  return `${lines.join("\n")}\n`;
}

/** The training thread's own account of its time, as parts of the "training thread" phase. */
function addThreadPhases(log: PhaseLog, t: WorkerTimings | undefined, epochs: number): void {
  if (!t) return;
  log.add("start-up (module loading; spawned before the data loads, so overlapping it)", t.startup, 1);
  log.add("waiting for the job (the main thread loading the data)", t.jobWait, 1);
  log.add("kernel selection + WASM instantiation", t.kernels, 1);
  if (t.trainer) {
    log.add("fused trainer: WASM compile + instantiation", t.trainer.instantiate, 1);
    log.add("fused trainer: upload of the data set", t.trainer.upload, 1);
    log.add("fused trainer: helper threads start-up", t.trainer.helpers, 1);
  }
  log.add(`training (${epochs} epoch${epochs === 1 ? "" : "s"}, Σ)`, t.epochs, 1);
  log.add("evaluations (test set after each epoch, Σ)", t.evaluations, 1);
}

/** A rejection handler that ends the training thread (still waiting for its job), then rethrows. */
function endThread(thread: TrainingThread): (error: unknown) => never {
  return (error) => {
    void thread.worker.terminate();
    throw error;
  };
}

async function trainRun(values: OptionValues<typeof trainOptions>, io: CommandIo): Promise<number> {
  // performance.now() counts from the process's start: this far is Node's start-up and module loading.
  const phases = new PhaseLog();
  phases.add("start-up (process start to the command: module loading)", performance.now());
  let mark = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    phases.add(name, now - mark);
    mark = now;
  };
  const numerics = (values.softmax ?? TRAIN_DEFAULTS.softmax) as SoftmaxNumerics;
  const batchSize = values["batch-size"] ?? TRAIN_DEFAULTS.batchSize;
  // Chosen once, here: this thread evaluates the final model, the training thread installs the same set.
  const kernels = await installKernels((values.kernels ?? "auto") as KernelsChoice);
  const path = chooseTrainingPath({ trainer: values.trainer, threads: values.threads }, { numerics, kernels, batchSize });
  await checkPaths(values);
  const settings: Settings = {
    epochs: values.epochs ?? TRAIN_DEFAULTS.epochs,
    lr: values.lr ?? TRAIN_DEFAULTS.lr,
    batchSize,
    seed: values.seed ?? TRAIN_DEFAULTS.seed,
    numerics,
    shuffle: values["no-shuffle"] !== true,
    init: values.init,
    path,
  };
  if (kernels.name === "ref" && values.kernels !== "ref") io.stderr.write(`note: kernels: ref (${kernels.reason})\n`);
  lap("kernel selection + WASM instantiation (main thread)");
  // The training thread loads its modules while this thread loads the data (it waits for its job, unref'd).
  const thread = startTrainingThread({ helpers: path.threads - 1, kernels: kernels.name });
  lap("training thread spawn");
  const cwd = process.cwd();
  const startedAt = new Date();
  // Until the job is sent, a failure here must end the waiting thread too.
  const { train, test, info } = await loadDataset(loadOptionsFrom(values, io)).catch(endThread(thread));
  for (const note of info.notes) io.stderr.write(`note: ${note}\n`);
  const gunzipped = info.files.filter((f) => f.readFrom === f.path && f.gzip).length;
  lap(`data: locate + load (${gunzipped > 0 ? `${gunzipped} of 4 files gunzipped` : "no gunzip: raw files or the cache's decompressed copies"})`);
  const start = await startingWeights(settings, info).catch(endThread(thread));
  lap("initial weights");

  const json = values.json === true;
  const mode = viewModeFor(io.stdout, io.env, json);
  const compute = computeText(kernels.name, path);
  if (json) {
    const { epochs, lr, seed, shuffle } = settings;
    const header = { event: "start", dataset: info.name, dataDir: info.dir, trainCount: train.n, testCount: test.n, rows: info.rows, cols: info.cols, classes: info.numClasses };
    const how = { kernels: kernels.name, trainer: path.trainer, threads: path.threads };
    io.stdout.write(`${JSON.stringify({ ...header, epochs, lr, batchSize, seed, softmax: numerics, shuffle, init: settings.init ?? null, ...how })}\n`);
  } else {
    io.stdout.write(
      `${info.title}: ${count(train.n)} train and ${count(test.n)} test images of ${info.rows} × ${info.cols} px, ${info.numClasses} classes\n` +
        `training ${settings.epochs} epoch${settings.epochs === 1 ? "" : "s"}: lr ${settings.lr}, batch size ${batchSize}, seed ${settings.seed}, ` +
        `${numerics} softmax${settings.shuffle ? "" : ", no shuffle"}${settings.init ? `, from ${settings.init}` : ""}\n` +
        `${compute}\n`,
    );
  }

  const animator = trainingAnimator(settings.epochs);
  const view = new LiveView(io.stdout, { mode, color: wantsColor(io.stdout, io.env), numEpochs: settings.epochs, examplesPerEpoch: train.n, animator });
  const started = performance.now();
  const { epochs, lr, seed, shuffle } = settings;
  const verbose = values.verbose === true;
  const job = { train, test, epochs, lr, batchSize, seed, numerics, shuffle, ...start, kernels: kernels.name, trainer: path.trainer, threads: path.threads, profile: verbose };
  const trainCount = train.n; // the training split's buffers move to the training thread
  // The run folder's writer (with resvg's native module, ~0.1 s to load) loads while the worker trains.
  const runFolderModule = import("../io/runFolder.ts");
  runFolderModule.catch(() => undefined); // awaited below; a failure must not count as unhandled before then
  const outcome = await trainWithView(job, thread, view, animator, { mode, stderr: io.stderr });
  const seconds = (performance.now() - started) / 1000;
  lap("training thread (job sent to its last message)");
  addThreadPhases(phases, outcome.timings, outcome.history.length);

  const model = modelOf(settings, info, outcome, start, { startedAt, seconds });
  // The same call train makes after each epoch, so the accuracy equals the last epoch's test accuracy.
  // The fused trainer sends the final model's test predictions, computed as evaluateSplit would: no second pass.
  const evaluation = outcome.testPredictions
    ? evaluationFromPredictions(test, outcome.testPredictions)
    : evaluateSplit(regressionFrom(model).net, test, settings.batchSize);
  if (outcome.history.length === 0) model.metrics["testAcc"] = evaluation.accuracy;
  lap("final evaluation (predictions, confusion matrix)");
  const sampleCount = Math.min(18, test.n);
  const { makeRunFolder, writeRunFolder } = await runFolderModule;
  const dir = await makeRunFolder({ ...(values.out !== undefined && { out: values.out }), cwd, date: startedAt });
  const files = await writeRunFolder(dir, {
    model,
    datasetTitle: info.title,
    runName: basename(dir),
    startedAt,
    seconds,
    numEpochs: settings.epochs,
    history: outcome.history.map(({ epoch, trainLoss, trainAcc, testAcc, seconds: s }) => ({ epoch, trainLoss, trainAcc, testAcc, seconds: s })),
    settings: settingRows(settings, info, outcome.kernels, outcome.build),
    trainCount,
    testCount: test.n,
    testAccuracy: evaluation.accuracy,
    testCorrect: evaluation.correct,
    perClass: evaluation.perClass,
    confusion: evaluation.confusion,
    sample: {
      images: test.images.subarray(0, sampleCount * info.rows * info.cols),
      trues: test.labels.subarray(0, sampleCount),
      preds: evaluation.predictions.subarray(0, sampleCount),
    },
    ...(outcome.interrupted && { interrupted: { ...outcome.interrupted, epochsCompleted: outcome.history.length } }),
    version: packageVersion(),
  }, { onWritten: (name, ms) => phases.add(`write ${name}`, ms) });

  if (json) {
    const last = outcome.history.at(-1);
    const summary = { event: "summary", epochs: outcome.history.length, numEpochs: settings.epochs, interrupted: outcome.interrupted !== undefined };
    const metrics = { trainLoss: last?.trainLoss ?? null, trainAcc: last?.trainAcc ?? null, testAcc: evaluation.accuracy, seconds: round3(seconds) };
    io.stdout.write(`${JSON.stringify({ ...summary, ...metrics, runFolder: dir, files })}\n`);
  } else {
    io.stdout.write(summaryText(settings, outcome, evaluation.accuracy, seconds, shownPath(dir, cwd)));
  }
  if (verbose) {
    const note = "(the three PNGs render together from before the first write on: each write's figure is its wait since the previous file)\n";
    io.stderr.write(phases.format(performance.now()) + note + (outcome.timings?.threadPhases ? threadPhaseTable(outcome.timings.threadPhases) : ""));
  }
  return outcome.interrupted ? 130 : 0;
}

export const trainCommand = defineCommand({
  name: "train",
  summary: "Train softmax regression with live progress and write a run folder",
  description:
    "Trains the chapter's model: W ~ Normal(0, 0.01²) and b = 0, minibatch SGD, evaluating on the test split\n" +
    "after every epoch. By default (--trainer auto) the resident WebAssembly trainer runs it: the data set is\n" +
    "uploaded once and whole groups of batches run in WebAssembly on --threads threads (the same numbers on\n" +
    "any count). It computes the stable softmax cross-entropy on the WebAssembly kernels; --softmax naive or\n" +
    "--kernels ref train through the engine's autograd (train() + sgd), as does --trainer autograd: its step\n" +
    "is recorded once and compiled by the WebAssembly kernels, which split each batch across --threads.\n" +
    "The model's shape follows the data: any IDX data set (--data DIR with the standard file names) of any\n" +
    "image size and class count trains as is.\n" +
    "On a terminal a live chart is redrawn in place; otherwise one line per epoch (--json: JSON lines).\n" +
    "Writes runs/<time>/ (or --out DIR): model.safetensors, metrics.csv, curves.svg, curves.png,\n" +
    "predictions.png, weights.png, confusion.csv and report.html, and prints its path and the final metrics.\n" +
    "Ctrl-C stops after the current batch and saves the run for the epochs completed (exit 130); a second\n" +
    "Ctrl-C aborts at once. A non-finite loss stops training with exit 1, naming the epoch and batch.\n" +
    "--verbose prints to stderr at the end how long each phase took, from process start to the last file.",
  options: trainOptions,
  examples: [
    { command: "softmax train", description: "The chapter's run: 10 epochs, lr 0.1, batch size 256, on Fashion-MNIST" },
    { command: "softmax train --epochs 3 --lr 0.05 --out runs/quick", description: "A shorter run with its files in runs/quick/" },
    { command: "softmax train --softmax naive --seed 1", description: "The chapter's naive softmax + cross-entropy, another initialisation" },
    { command: "softmax train --init runs/quick/model.safetensors --no-shuffle", description: "Continue from a saved model, batches in file order" },
    { command: "softmax train --data ./my-idx --json > log.jsonl", description: "Train on an IDX data set of one's own; JSON lines for machines" },
    { command: "softmax train --trainer autograd", description: "The chapter's own path: autograd + sgd through the tensor engine" },
    { command: "softmax train --threads 1 --verbose", description: "The fused trainer on one thread; where the time went, phase by phase" },
  ],
  async run(values, _positionals, io) {
    return trainRun(values, io);
  },
});
