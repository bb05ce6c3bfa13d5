// The page's main thread: starts the training worker, turns its messages into the views (chart, progress,
// predictions, weights, per-class accuracy), and handles the form, Train / Pause / Stop and model files.
// No training, data or image work happens here: it draws the chart and inserts the worker's pictures.

import { batchSizeOf, numericsOf } from "../src/io/modelNet.ts";
import { FASHION_MNIST_LABELS } from "../src/data/datasets.ts";
import type { SoftmaxModel } from "../src/io/model.ts";
import type { EvaluationSummary, PageMessage, TrainerInfo, TrainSettings, WorkerMessage } from "./messages.ts";
import { modelBytes, modelFromRun, readModelFile } from "./model-file.ts";
import type { PageRun } from "./model-file.ts";
import { ChartView } from "./ui/chart-view.ts";
import { renderClasses } from "./ui/classes-view.ts";
import { byId, h, show } from "./ui/dom.ts";
import { count, megabytes, percent } from "./ui/format.ts";
import { GridView } from "./ui/grid-view.ts";
import { renderProbs } from "./ui/probs-view.ts";
import { ProgressView } from "./ui/progress-view.ts";
import type { Phase } from "./ui/progress-view.ts";
import { readSettings } from "./ui/settings.ts";

type DataReady = Extract<WorkerMessage, { type: "data-ready" }>;

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const send = (message: PageMessage, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);

const form = byId("settings", HTMLFormElement);
const trainButton = byId("train", HTMLButtonElement);
const pauseButton = byId("pause", HTMLButtonElement);
const stopButton = byId("stop", HTMLButtonElement);
const trainerField = byId("trainer", HTMLSelectElement);
const threadsField = byId("threads", HTMLSelectElement);
const downloadButton = byId("download", HTMLButtonElement);
const upload = byId("upload", HTMLInputElement);
const uploadLabel = byId("upload-label");
const classesTable = byId("classes", HTMLTableElement);
const probsPanel = byId("probs");
const progress = new ProgressView();
const chart = new ChartView(byId("chart"));
const weightsFigure = byId("weights");
const grid = new GridView(byId("grid"), (index) => {
  selected = index;
  drawProbs();
});

let phase: Phase = "loading";
let data: DataReady | undefined;
let kernels = "unknown";
let run: (PageRun & { numBatches: number; examplesPerEpoch: number }) | undefined;
/** The model the page offers for download and shows: the last completed epoch's, or an uploaded one. */
let current: { model: SoftmaxModel; origin: "trained" | "uploaded"; name: string } | undefined;
let evaluation: EvaluationSummary | undefined;
let selected: number | undefined;

// ---- small view updates ----------------------------------------------------------------------------

/** Marks <body data-drawing> while the worker draws pictures the page asked for (tests wait on it). */
function expectPictures(pending: boolean): void {
  document.body.dataset["drawing"] = String(pending);
}

/** Tells the worker how wide the grid and weights cards are, so it draws pictures that fit them. */
let sentWidths = "";
function sendWidths(): void {
  const grid = Math.round(byId("grid").clientWidth);
  const weights = Math.round(weightsFigure.clientWidth);
  const key = `${grid}x${weights}`;
  if (grid === 0 || key === sentWidths) return;
  sentWidths = key;
  if (data) expectPictures(true);
  send({ type: "widths", grid, weights });
}

function setPhase(next: Phase, label?: string): void {
  phase = next;
  document.body.dataset["phase"] = next;
  progress.phase(next, label);
  refreshControls();
}

function refreshControls(): void {
  const busy = phase === "training" || phase === "paused" || phase === "stopping";
  trainButton.disabled = !data || busy;
  pauseButton.disabled = !(phase === "training" || phase === "paused");
  pauseButton.textContent = phase === "paused" ? "Resume" : "Pause";
  stopButton.disabled = !(phase === "training" || phase === "paused");
  for (const field of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select")) field.disabled = busy;
  downloadButton.disabled = !current;
  const canUpload = data !== undefined && !busy;
  upload.disabled = !canUpload;
  uploadLabel.setAttribute("aria-disabled", String(!canUpload));
}

function showAlert(title: string, message: string, options: { hint?: (Node | string)[]; retry?: boolean } = {}): void {
  byId("alert-title").textContent = title;
  byId("alert-message").textContent = message;
  const hint = byId("alert-hint");
  hint.replaceChildren(...(options.hint ?? []));
  hint.hidden = options.hint === undefined;
  show(byId("retry"), options.retry === true);
  byId("alert").hidden = false;
}

function hideAlert(): void {
  byId("alert").hidden = true;
}

function setMetrics(values: { testAcc?: number; trainAcc?: number; trainLoss?: number; detail?: string }): void {
  const test = byId("metric-test");
  test.textContent = values.testAcc === undefined ? "–" : percent(values.testAcc);
  if (values.testAcc === undefined) delete test.dataset["value"];
  else test.dataset["value"] = String(values.testAcc);
  byId("metric-train-acc").textContent = values.trainAcc === undefined ? "–" : percent(values.trainAcc);
  byId("metric-loss").textContent = values.trainLoss === undefined ? "–" : values.trainLoss.toFixed(4);
  byId("metric-test-detail").textContent = values.detail ?? "after each epoch";
}

function drawProbs(): void {
  if (!data || selected === undefined) return;
  const inputs = data.rows * data.cols;
  const classes = data.classNames.length;
  renderProbs(probsPanel, {
    index: selected,
    pixels: data.sampleImages.subarray(selected * inputs, (selected + 1) * inputs),
    rows: data.rows,
    cols: data.cols,
    truth: data.sampleLabels[selected] ?? 0,
    classNames: data.classNames,
    probs: evaluation?.sampleProbs.subarray(selected * classes, (selected + 1) * classes),
  });
}

/** Shows one evaluation of the current model: grid predictions, per-class bars, the selected image. */
function showEvaluation(next: EvaluationSummary): void {
  evaluation = next;
  if (data) renderClasses(classesTable, data.classNames, next.perClass);
  const wrong = next.samplePreds.reduce((n, p, i) => n + (p !== data?.sampleLabels[i] ? 1 : 0), 0);
  byId("grid-caption").textContent = `${wrong} of ${next.samplePreds.length} wrong (red) · click an image`;
  drawProbs();
}

/** Inserts the worker's pictures: the prediction grid and the weight templates (faded when blank). */
function showPictures(message: Extract<WorkerMessage, { type: "pictures" }>): void {
  grid.setSvg(message.grid);
  weightsFigure.innerHTML = message.weights;
  const root = weightsFigure.querySelector("svg");
  root?.style.setProperty("--natural-width", `${root.getAttribute("width")}px`);
  weightsFigure.classList.toggle("empty", message.blank);
  expectPictures(false);
}

function describeModel(): void {
  const info = byId("model-info");
  if (!current) return;
  const t = current.model.training;
  const epochs = typeof t["epochsCompleted"] === "number" ? t["epochsCompleted"] : (current.model.metrics["epochs"] ?? "?");
  const settings = [`${epochs} epoch${epochs === 1 ? "" : "s"}`, `lr ${t["lr"] ?? "?"}`, `batch size ${batchSizeOf(current.model)}`, `${numericsOf(current.model)} softmax`];
  if (typeof t["seed"] === "number") settings.push(`seed ${t["seed"]}`);
  const where = current.origin === "trained" ? "Trained on this page" : `Uploaded ${current.name}`;
  info.replaceChildren(h("strong", {}, where), `: ${settings.join(", ")}.`);
}

/**
 * The threads "auto" gives here: every core up to 4 (the shards of a batch), one without cross-origin
 * isolation. The trainer decides (and says why); this only labels the choice.
 */
function autoThreads(): number {
  return crossOriginIsolated ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4)) : 1;
}

/** Labels the trainers' options with the threads they will use: "fast (2 threads)" (short: the select is narrow on a phone). */
function labelTrainerChoice(): void {
  const auto = autoThreads();
  threadsField.options[0]!.textContent = `auto (${auto})`;
  const n = threadsField.value === "auto" ? auto : Number(threadsField.value);
  const threads = `${n} thread${n === 1 ? "" : "s"}`;
  trainerField.querySelector<HTMLOptionElement>("option[value='autograd']")!.textContent = `chapter (autograd, ${threads})`;
  trainerField.querySelector<HTMLOptionElement>("option[value='fast']")!.textContent = `fast (${threads})`;
}

/** Says how the run computes: the trainer, the fast trainer's kernels build and threads, and why one thread. */
function showTrainer(info: TrainerInfo): void {
  const element = byId("trainer-info");
  element.dataset["trainer"] = info.name;
  element.dataset["threads"] = String(info.threads);
  if (info.variant) element.dataset["variant"] = info.variant;
  else delete element.dataset["variant"];
  element.title = info.threadsReason ?? "";
  const threads = `${info.threads} thread${info.threads === 1 ? "" : "s"}`;
  if (info.name === "autograd") element.replaceChildren(`chapter (autograd) · ${threads}`);
  else element.replaceChildren(`fast (WebAssembly) · ${info.variant} build · ${threads}`);
  // A fallback to one thread is said once, beside the count: e.g. the page is not cross-origin isolated.
  if (info.threads === 1 && info.threadsReason?.startsWith("one thread:")) {
    element.append(h("span", { id: "threads-reason", class: "note muted" }, ` · ${info.threadsReason}`));
  }
}

// ---- worker messages --------------------------------------------------------------------------------

function dataProgress(message: Extract<WorkerMessage, { type: "data-progress" }>): void {
  const p = message.progress;
  const words: Record<typeof p.phase, string> = {
    cache: `reading ${p.file} from the browser cache`,
    download: `downloading ${p.file}${p.total ? `: ${megabytes(p.received ?? 0)} of ${megabytes(p.total)}` : ""}`,
    decompress: `decompressing ${p.file}`,
    verify: `checking ${p.file} (SHA-256)`,
    ready: `${p.file} verified`,
  };
  byId("data-status").textContent = words[p.phase];
}

function dataReady(message: DataReady): void {
  data = message;
  hideAlert();
  const from = message.cached.length === 4 ? "the browser cache (verified copy)" : message.dir;
  const status = byId("data-status");
  status.replaceChildren(`${message.title}: ${count(message.trainCount)} train / ${count(message.testCount)} test images, from ${from}`);
  for (const note of message.notes) status.append(h("span", { class: "note muted" }, ` · ${note}`));
  status.dataset["cached"] = String(message.cached.length);
  expectPictures(true);
  renderClasses(classesTable, message.classNames, undefined);
  setPhase("ready", "ready");
}

function dataFailed(message: Extract<WorkerMessage, { type: "data-failed" }>): void {
  byId("data-status").textContent = "not loaded";
  if (message.missing) {
    showAlert("The server has no Fashion-MNIST to serve", message.message, {
      hint: [
        "To get it, install Debian's package: ",
        h("code", {}, "sudo apt-get install dataset-fashion-mnist"),
        ", or start the page with ",
        h("code", {}, "npm run web -- --data DIR"),
        " (a folder holding the four IDX files, raw or .gz). Then try again.",
      ],
      retry: true,
    });
  } else {
    showAlert("The data set could not be loaded", message.message, { retry: true });
  }
  setPhase("failed", "no data");
}

function epochDone(message: Extract<WorkerMessage, { type: "epoch" }>): void {
  if (!run || !data) return;
  run.history.push({ ...message.metrics, seconds: message.seconds });
  run.finishedAt = new Date();
  const model = modelFromRun(run, message.W, message.b, data);
  current = { model, origin: "trained", name: "model.safetensors" };
  chart.add(message.metrics);
  setMetrics({ testAcc: message.metrics.testAcc, trainAcc: message.metrics.trainAcc, trainLoss: message.metrics.trainLoss, detail: `after epoch ${message.metrics.epoch}` });
  expectPictures(true); // the worker draws this epoch's grid and weights next
  showEvaluation(message.evaluation);
  describeModel();
  refreshControls();
}

/** Marks the offered model as stopped early (the CLI's `interrupted`). */
function markInterrupted(): void {
  if (!run || !data || current?.origin !== "trained") return;
  run.interrupted = true;
  current = { ...current, model: modelFromRun(run, current.model.W, current.model.b, data) };
}

worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  switch (message.type) {
    case "kernels": {
      kernels = message.name;
      const element = byId("kernels");
      element.textContent = `${message.name} · ${message.reason}`;
      element.dataset["kernels"] = message.name;
      break;
    }
    case "data-progress":
      dataProgress(message);
      break;
    case "data-ready":
      dataReady(message);
      break;
    case "data-failed":
      dataFailed(message);
      break;
    case "started":
      showTrainer(message.trainer);
      if (run) {
        run.trainer = message.trainer;
        run.kernels = message.kernels;
        run.numBatches = message.numBatches;
        run.examplesPerEpoch = message.examplesPerEpoch;
      }
      break;
    case "batch":
      if (run) progress.set({ ...message, epochs: run.settings.epochs, examplesPerEpoch: run.examplesPerEpoch });
      break;
    case "paused":
      setPhase("paused", "paused");
      break;
    case "resumed":
      setPhase("training", "training");
      break;
    case "epoch":
      epochDone(message);
      break;
    case "done":
      setPhase("done", "done");
      break;
    case "stopped":
      markInterrupted();
      setPhase("stopped", message.batch > 0 ? `stopped in epoch ${message.epoch}` : `stopped after epoch ${message.epoch - 1}`);
      break;
    case "failed":
      showAlert(message.nonFinite ? "Training diverged" : "Training failed", message.message);
      setPhase("failed", "failed");
      break;
    case "pictures":
      showPictures(message);
      break;
    case "evaluated":
      expectPictures(true);
      if (current?.origin === "uploaded") {
        const m = current.model.metrics;
        setMetrics({ testAcc: message.evaluation.accuracy, trainAcc: m["trainAcc"], trainLoss: m["trainLoss"], detail: `of ${current.name}` });
        showEvaluation(message.evaluation);
      }
      setPhase(data ? "ready" : "failed", "ready");
      break;
    case "evaluate-failed":
      show(byId("model-error"), true, message.message);
      setPhase(data ? "ready" : "failed", "ready");
      break;
  }
};

worker.onerror = (event) => {
  showAlert("The training worker failed", `${event.message || "the worker script could not run"}; reload the page to start it again`);
  setPhase("failed", "failed");
};

// ---- controls ---------------------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!data) return;
  const result = readSettings(form);
  const error = byId("settings-error");
  if ("error" in result) {
    show(error, true, result.error);
    return;
  }
  show(error, false);
  hideAlert();
  startRun(result.settings);
});

function startRun(settings: TrainSettings): void {
  if (!data) return;
  const now = new Date();
  run = { settings, kernels, trainer: undefined, dataDir: data.dir, startedAt: now, finishedAt: now, history: [], interrupted: false, numBatches: 0, examplesPerEpoch: data.trainCount };
  chart.reset(settings.epochs);
  byId("chart-caption").textContent = `${settings.epochs} epochs · lr ${settings.lr} · batch size ${settings.batchSize} · seed ${settings.seed} · ${settings.numerics} softmax`;
  progress.reset(settings.epochs);
  evaluation = undefined;
  setMetrics({});
  byId("grid-caption").textContent = "mistakes in red · click an image";
  renderClasses(classesTable, data.classNames, undefined);
  drawProbs();
  expectPictures(true); // blank pictures until the run's first epoch
  setPhase("training", "training");
  send({ type: "train", settings });
}

pauseButton.addEventListener("click", () => send({ type: phase === "paused" ? "resume" : "pause" }));
stopButton.addEventListener("click", () => {
  send({ type: "stop" });
  setPhase("stopping", "stopping…");
});
byId("retry").addEventListener("click", () => {
  hideAlert();
  setPhase("loading", "loading");
  send({ type: "load" });
});

downloadButton.addEventListener("click", () => {
  if (!current) return;
  const url = URL.createObjectURL(new Blob([modelBytes(current.model)], { type: "application/octet-stream" }));
  const link = h("a", { href: url, download: "model.safetensors", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
});

upload.addEventListener("change", async () => {
  const file = upload.files?.[0];
  upload.value = "";
  if (!file || !data) return;
  const errorLine = byId("model-error");
  show(errorLine, false);
  let model: SoftmaxModel;
  try {
    model = readModelFile(new Uint8Array(await file.arrayBuffer()), file.name, { rows: data.rows, cols: data.cols, classes: data.classNames.length });
  } catch (error) {
    show(errorLine, true, `Not loaded: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  current = { model, origin: "uploaded", name: file.name };
  chart.reset(Math.max(2, Number(model.training["epochs"]) || 10));
  byId("chart-caption").textContent = `no curves for an uploaded model`;
  describeModel();
  setPhase("loading", "evaluating");
  const W = Float32Array.from(model.W);
  const b = Float32Array.from(model.b);
  send({ type: "evaluate", W, b, numerics: numericsOf(model), batchSize: batchSizeOf(model) }, [W.buffer, b.buffer]);
});

// ---- start ------------------------------------------------------------------------------------------

trainerField.addEventListener("change", refreshControls);
threadsField.addEventListener("change", labelTrainerChoice);
labelTrainerChoice();
chart.reset(10);
renderClasses(classesTable, FASHION_MNIST_LABELS, undefined);
setPhase("loading", "loading data");
new ResizeObserver(() => requestAnimationFrame(sendWidths)).observe(byId("grid"));
new ResizeObserver(() => requestAnimationFrame(sendWidths)).observe(weightsFigure);
sendWidths();
send({ type: "load" });
