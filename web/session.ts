// One training run inside the worker: the CLI's model, batches and updates (SoftmaxRegression seeded by
// `seed`, a shuffled DataIter, sgd, the chapter's trainEpoch), fed in slices of a few dozen milliseconds so
// the worker hears Pause and Stop between batches.

import { gatherBatch } from "../src/data/iterator.ts";
import { getKernels, setKernels } from "../src/kernels/current.ts";
import { sgd } from "../src/nn/sgd.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { Accumulator } from "../src/train/accumulator.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { StepCapture } from "../src/train/stepCapture.ts";
import { trainEpoch } from "../src/train/trainEpoch.ts";
import { chapterKernels } from "./kernels.ts";
import type { TrainSettings } from "./messages.ts";
import { RunControl } from "./run-control.ts";

/** Work between two looks at the worker's message queue. */
const SLICE_MS = 40;

export class TrainingSession extends RunControl {
  /** Trains as `settings` say, posting progress; resolves when done, stopped or failed (never rejects). */
  async run(settings: TrainSettings): Promise<void> {
    const { epochs, lr, batchSize, threads } = settings;
    const { train, test } = this;
    const { model, trainIter } = this.start(settings);
    const updater = sgd(model.params(), lr);
    // The run's kernels: the installed set on the asked threads (kept for the next run), installed for this run only.
    const installed = getKernels();
    const selection = await chapterKernels(threads);
    setKernels(selection.kernels);
    const capture = new StepCapture(); // one recording for every slice and epoch of this run
    const numBatches = trainIter.numBatches;
    const trainer = { name: "autograd" as const, threads: selection.threads, threadsReason: selection.threadsReason };
    this.post({ type: "started", numBatches, examplesPerEpoch: train.n, kernels: getKernels().name, trainer });
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const metric = new Accumulator(3); // [loss sum, correct, examples], as trainEpoch keeps them
        const batches = trainIter.indexBatches();
        let next = batches.next();
        let done = 0; // batches finished this epoch
        let activeMs = 0;
        while (!next.done) {
          if (await this.checkpoint()) {
            this.post({ type: "stopped", epoch, batch: done });
            return;
          }
          const sliceStart = performance.now();
          // A slice of this epoch's batches, in the epoch's order; ends once SLICE_MS have passed.
          const slice = function* (): Generator<readonly [Tensor, Int32Array]> {
            while (!next.done) {
              const rows = next.value;
              next = batches.next();
              yield gatherBatch(train, rows);
              if (performance.now() - sliceStart >= SLICE_MS) return;
            }
          };
          let examples = 0;
          const before = done;
          let result: [number, number];
          try {
            result = trainEpoch(model.net, slice(), model.loss, updater, {
              epoch,
              capture,
              onBatchEnd: ({ size, loss, accuracy }) => {
                done++;
                examples += size;
                const seconds = (activeMs + performance.now() - sliceStart) / 1000;
                this.postBatch({ epoch, batch: done, numBatches, examples: metric.get(2) + examples, loss, accuracy, seconds });
              },
            });
          } catch (error) {
            // trainEpoch counts batches within the slice; name the batch of the epoch instead.
            if (error instanceof NonFiniteLossError) throw error.shifted(before);
            throw error;
          }
          metric.add(result[0] * examples, result[1] * examples, examples);
          activeMs += performance.now() - sliceStart;
        }
        this.postEpoch(model, test, batchSize, epoch, metric, activeMs);
      }
      this.post({ type: "done" });
    } catch (error) {
      this.post({ type: "failed", message: error instanceof Error ? error.message : String(error), nonFinite: error instanceof NonFiniteLossError });
    } finally {
      setKernels(installed);
    }
  }
}
