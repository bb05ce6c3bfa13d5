// The page's training worker: picks the kernels, loads and verifies the data, runs training sessions and
// evaluates uploaded models, all off the main thread. Talks only through the messages of messages.ts.

import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import { FASHION_MNIST } from "../src/data/datasets.ts";
import type { DataSplit } from "../src/data/split.ts";
import { DataLoadError, loadFashionMnist } from "./dataset.ts";
import { installKernels } from "./kernels.ts";
import type { PageMessage, WorkerMessage } from "./messages.ts";
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
let session: TrainingSession | undefined;

async function load(): Promise<void> {
  await kernelsReady;
  try {
    const loaded = await loadFashionMnist((progress) => post({ type: "data-progress", progress }));
    data = loaded;
    const { test } = loaded;
    const samples = Math.min(SAMPLE_COUNT, test.n);
    const inputs = test.rows * test.cols;
    post({
      type: "data-ready",
      title: FASHION_MNIST.title,
      dir: loaded.dir ?? "browser cache",
      trainCount: loaded.train.n,
      testCount: test.n,
      rows: test.rows,
      cols: test.cols,
      classNames: [...FASHION_MNIST.classNames],
      sampleImages: test.images.slice(0, samples * inputs),
      sampleLabels: test.labels.slice(0, samples),
      cached: loaded.cached,
      notes: loaded.notes,
    });
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
      const current = new TrainingSession(data.train, data.test, post);
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
        post({ type: "evaluated", evaluation: summarize(model, test, message.batchSize) });
      } catch (error) {
        post({ type: "evaluate-failed", message: error instanceof Error ? error.message : String(error) });
      }
      break;
    }
  }
};
