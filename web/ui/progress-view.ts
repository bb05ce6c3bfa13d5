// The progress card: the current epoch's bar, epoch and batch counters, examples per second and the
// epoch's ETA (from the worker's own clock, which stops while paused), and the phase pill.

import { byId } from "./dom.ts";
import { count, formatDuration, rate } from "./format.ts";

export type Phase = "idle" | "loading" | "ready" | "training" | "paused" | "stopping" | "done" | "stopped" | "failed";

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  numBatches: number;
  examples: number;
  examplesPerEpoch: number;
  seconds: number;
}

export class ProgressView {
  private readonly pill = byId("phase");
  private readonly bar = byId("bar");
  private readonly fill = byId("bar-fill");
  private readonly epoch = byId("stat-epoch");
  private readonly batch = byId("stat-batch");
  private readonly speed = byId("stat-rate");
  private readonly eta = byId("stat-eta");

  phase(phase: Phase, label: string = phase): void {
    this.pill.dataset["phase"] = phase;
    this.pill.textContent = label;
  }

  reset(epochs: number): void {
    this.set({ epoch: 0, epochs, batch: 0, numBatches: 0, examples: 0, examplesPerEpoch: 1, seconds: 0 });
    this.speed.textContent = "–";
    this.eta.textContent = "–";
  }

  set(p: BatchProgress): void {
    const fraction = p.examplesPerEpoch > 0 ? Math.min(1, p.examples / p.examplesPerEpoch) : 0;
    this.fill.style.width = `${(fraction * 100).toFixed(2)}%`;
    this.bar.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
    this.epoch.textContent = p.epoch > 0 ? `${p.epoch} of ${p.epochs}` : `– of ${p.epochs}`;
    this.batch.textContent = p.numBatches > 0 ? `${count(p.batch)} of ${count(p.numBatches)}` : "–";
    if (p.seconds > 0 && p.examples > 0) {
      const perSecond = p.examples / p.seconds;
      this.speed.textContent = rate(perSecond);
      this.eta.textContent = formatDuration((p.examplesPerEpoch - p.examples) / perSecond);
    }
  }
}
