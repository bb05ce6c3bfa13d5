// One training run of the fast trainer inside the worker: the CLI's model and shuffles (SoftmaxRegression
// seeded by `seed`, a shuffled DataIter) through the resident WebAssembly trainer, with helper threads as
// nested Web Workers. Groups of batches per call, so the worker hears Pause and Stop between groups.

import { getKernels } from "../src/kernels/current.ts";
import { webThreads } from "../src/kernels/wasm/webThreads.ts";
import { Accumulator } from "../src/train/accumulator.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { WasmTrainer } from "../src/train/wasmTrainer.ts";
import type { TrainSettings, WorkerMessage } from "./messages.ts";
import { RunControl } from "./run-control.ts";

/** Batches per trainer call: a few dozen milliseconds of work between two looks at the message queue. */
const GROUP_BATCHES = 16;

export class FastSession extends RunControl {
  /** Trains as `settings` say, posting progress; resolves when done, stopped or failed (never rejects). */
  async run(settings: TrainSettings): Promise<void> {
    const { epochs, lr, batchSize, threads } = settings;
    const { train, test } = this;
    const { model, trainIter } = this.start(settings);
    const numBatches = trainIter.numBatches;
    let trainer: WasmTrainer | undefined;
    // Posted once the helpers have ended, so the page may start the next run at once.
    let outcome: WorkerMessage = { type: "done" };
    try {
      trainer = await WasmTrainer.create(model, { train, test }, { lr, batchSize, threads, host: webThreads });
      const info = { name: "fast" as const, threads: trainer.threads, variant: trainer.variant, threadsReason: trainer.threadsReason };
      this.post({ type: "started", numBatches, examplesPerEpoch: train.n, kernels: getKernels().name, trainer: info });
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const metric = new Accumulator(3); // [loss sum, correct, examples]
        const batches = [...trainIter.indexBatches()];
        let activeMs = 0;
        for (let first = 0; first < batches.length; first += GROUP_BATCHES) {
          if (await this.checkpoint()) {
            outcome = { type: "stopped", epoch, batch: first };
            return;
          }
          const groupStart = performance.now();
          let examples = 0;
          let result: [number, number];
          try {
            // One chunk per call: the weights go in and out at each call, so the updates are the ones a
            // single call for the whole epoch makes.
            result = trainer.trainEpoch(batches.slice(first, first + GROUP_BATCHES), {
              epoch,
              chunkBatches: GROUP_BATCHES,
              onBatchEnd: ({ batch, size, loss, accuracy }) => {
                examples += size;
                const seconds = (activeMs + performance.now() - groupStart) / 1000;
                this.postBatch({ epoch, batch: first + batch, numBatches, examples: metric.get(2) + examples, loss, accuracy, seconds });
              },
            });
          } catch (error) {
            // The trainer counts batches within the group; name the batch of the epoch instead.
            if (error instanceof NonFiniteLossError) throw error.shifted(first);
            throw error;
          }
          metric.add(result[0] * examples, result[1] * examples, examples);
          activeMs += performance.now() - groupStart;
        }
        this.postEpoch(model, test, batchSize, epoch, metric, activeMs);
      }
    } catch (error) {
      outcome = { type: "failed", message: error instanceof Error ? error.message : String(error), nonFinite: error instanceof NonFiniteLossError };
    } finally {
      await trainer?.close();
      this.post(outcome);
    }
  }
}
