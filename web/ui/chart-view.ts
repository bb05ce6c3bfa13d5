// The live training chart: the CLI's Animator (trainingAnimator) drawn by the same SVG renderer, re-drawn
// at the card's width after every epoch and on resize so its text stays readable at any width.

import { trainingAnimator } from "../../src/viz/animator.ts";
import type { Animator } from "../../src/viz/animator.ts";
import type { EpochMetrics } from "../../src/train/types.ts";

export class ChartView {
  private animator: Animator;
  private lastWidth = 0;

  constructor(private readonly container: HTMLElement) {
    this.animator = trainingAnimator(10);
    new ResizeObserver(() => {
      if (Math.round(this.container.clientWidth) !== this.lastWidth) this.render();
    }).observe(container);
  }

  /** Starts an empty chart for a run of `numEpochs`. */
  reset(numEpochs: number): void {
    this.animator = trainingAnimator(numEpochs);
    this.render();
  }

  /** Adds one epoch's point to each curve (d2l: `animator.add(epoch + 1, train_metrics + (test_acc,))`). */
  add(metrics: EpochMetrics): void {
    this.animator.add(metrics.epoch, [metrics.trainLoss, metrics.trainAcc, metrics.testAcc]);
    this.render();
  }

  render(): void {
    const width = Math.max(240, Math.round(this.container.clientWidth));
    const height = Math.max(180, Math.round(this.container.clientHeight || width * 0.56));
    this.lastWidth = Math.round(this.container.clientWidth);
    this.container.innerHTML = this.animator.toSvg({ width, height, fontSize: width < 420 ? 12 : 13 });
  }
}
