// The page's training worker: picks the kernels, loads and verifies the data, runs training sessions,
// evaluates uploaded models and draws the image pictures, all off the main thread. Talks only through the
// messages of messages.ts.

import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import { FASHION_MNIST } from "../src/data/datasets.ts";
import type { DataSplit } from "../src/data/split.ts";
import { DataLoadError, loadFashionMnist } from "./dataset.ts";
import { installKernels } from "./kernels.ts";
import type { PageMessage, WorkerMessage } from "./messages.ts";
import { Pictures } from "./pictures.ts";
import { FastSession } from "./fast-session.ts";
import { TrainingSession } from "./session.ts";
import { SAMPLE_COUNT, summarize } from "./summary.ts";

const scope = self as unknown as {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<PageMessage>) => void) | null;
};

const post = (message: WorkerMessage, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

const kernelsReady = installKernels().then((choice) => post({ type: "kernels", name: choice.name, reason: choice.reason }));
let data: { train: DataSplit; test: DataSplit } | undefined;
let loading: Promise<void> | undefined;
let session: TrainingSession | FastSession | undefined;
let widths = { grid: 800, weights: 500 };
let pictures: Pictures | undefined;
/** The model whose pictures the page shows: its weights and the samples' predictions (none before training). */
let shown: { W: Float32Array; preds: Int32Array } | undefined;

/** Draws the grid and weights of the shown model (blank ones before any) and posts them. */
function postPictures(): void {
  if (!pictures || !data) return;
  const { test } = data;
  const W = shown?.W ?? new Float32Array(test.rows * test.cols * test.numClasses);
  post({ type: "pictures", grid: pictures.grid(shown?.preds), weights: pictures.weights(W), blank: shown === undefined });
}

/** The session's messages, plus the pictures of each epoch's model right after its metrics. */
const sessionPost = (message: WorkerMessage, transfer: Transferable[] = []): void => {
  if (message.type !== "epoch") return post(message, transfer);
  shown = { W: Float32Array.from(message.W), preds: message.evaluation.samplePreds };
  post(message, transfer);
  postPictures();
};

async function load(): Promise<void> {
  await kernelsReady;
  try {
    const loaded = await loadFashionMnist((progress) => post({ type: "data-progress", progress }));
    data = loaded;
    const { test } = loaded;
    const samples = Math.min(SAMPLE_COUNT, test.n);
    const inputs = test.rows * test.cols;
    const classNames = [...FASHION_MNIST.classNames];
    pictures = new Pictures({ images: test.images.subarray(0, samples * inputs), labels: test.labels.subarray(0, samples), rows: test.rows, cols: test.cols, classNames });
    pictures.setWidths(widths.grid, widths.weights);
    post({
      type: "data-ready",
      title: FASHION_MNIST.title,
      dir: loaded.dir ?? "browser cache",
      trainCount: loaded.train.n,
      testCount: test.n,
      rows: test.rows,
      cols: test.cols,
      classNames,
      sampleImages: test.images.slice(0, samples * inputs),
      sampleLabels: test.labels.slice(0, samples),
      cached: loaded.cached,
      notes: loaded.notes,
    });
    postPictures();
  } catch (error) {
    post({ type: "data-failed", message: error instanceof Error ? error.message : String(error), missing: error instanceof DataLoadError && error.missing });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "load":
      if (!data && !session) {
        loading ??= load().finally(() => (loading = undefined));
      }
      break;
    case "train": {
      if (!data) {
        post({ type: "failed", message: "the data set is not loaded yet; wait for it (or fix the data problem shown) and train again", nonFinite: false });
        break;
      }
      if (session) {
        post({ type: "failed", message: "a training run is already going; stop it first", nonFinite: false });
        break;
      }
      shown = undefined; // a new run: blank pictures until its first epoch
      postPictures();
      const Session = message.settings.trainer === "fast" ? FastSession : TrainingSession;
      const current = new Session(data.train, data.test, sessionPost);
      session = current;
      void current.run(message.settings).finally(() => {
        if (session === current) session = undefined;
      });
      break;
    }
    case "pause":
      session?.pause();
      break;
    case "resume":
      session?.resume();
      break;
    case "stop":
      session?.stop();
      break;
    case "widths":
      widths = { grid: message.grid, weights: message.weights };
      pictures?.setWidths(widths.grid, widths.weights);
      postPictures();
      break;
    case "evaluate": {
      if (!data || session) {
        post({ type: "evaluate-failed", message: data ? "stop training before predicting with an uploaded model" : "the data set is not loaded yet" });
        break;
      }
      try {
        const { test } = data;
        const classes = message.b.length;
        const model = SoftmaxRegression.fromParams(new Tensor(message.W, [message.W.length / classes, classes]), new Tensor(message.b, [classes]), {
          numerics: message.numerics,
        });
        const evaluation = summarize(model, test, message.batchSize);
        shown = { W: Float32Array.from(message.W), preds: evaluation.samplePreds };
        post({ type: "evaluated", evaluation });
        postPictures();
      } catch (error) {
        post({ type: "evaluate-failed", message: error instanceof Error ? error.message : String(error) });
      }
      break;
    }
  }
};
