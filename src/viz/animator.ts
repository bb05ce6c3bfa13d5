// Animator: collects points for several named curves as training runs, and draws them as an SVG chart.
// State only plus a call into the renderer; the CLI, run report and page decide when to redraw.

import type { ChartOptions, ChartSeries, DashStyle, LegendLocation, MarkerStyle, OutsideLimits } from "./chartTypes.ts";
import { renderChartSvg } from "./chart.ts";

/** Options for `new Animator(...)`, d2l's keyword arguments as an options object. */
export interface AnimatorOptions {
  xlabel?: string;
  ylabel?: string;
  /** Series names, in the order of the values passed to `add`. */
  legend?: readonly string[];
  xlim?: readonly [number, number];
  ylim?: readonly [number, number];
  title?: string;
  /** Per-series styles; defaults are d2l's fmts ('-', 'm--', 'g-.'): solid blue, dashed magenta, dash-dot green. */
  styles?: readonly { color?: string; dash?: DashStyle; marker?: MarkerStyle }[];
  outside?: OutsideLimits;
  legendLocation?: LegendLocation | "none";
  width?: number;
  height?: number;
  fontSize?: number;
}

/** One curve's points so far (plain arrays: safe to post to a Worker or serialise). */
export interface AnimatorSeries {
  name: string;
  x: number[];
  y: number[];
}

/**
 * Plots data in animation (d2l: `Animator`). `add(epoch, [trainLoss, trainAcc, testAcc])` appends one
 * point per curve; `toSvg()` draws every curve so far.
 * @example
 * const animator = new Animator({ xlabel: "epoch", xlim: [1, 10], ylim: [0.3, 0.9], legend: ["train loss", "train acc", "test acc"] });
 * animator.add(1, [0.79, 0.75, 0.79]);
 * const svg = animator.toSvg();
 */
export class Animator {
  readonly options: Readonly<AnimatorOptions>;
  private readonly curves: AnimatorSeries[] = [];

  constructor(options: AnimatorOptions = {}) {
    this.options = { ...options };
    for (const name of options.legend ?? []) this.curves.push({ name, x: [], y: [] });
  }

  /**
   * Adds one point per curve (d2l: `Animator.add(x, y)`). `ys` may be one number or a list; `x` may be
   * one number shared by all curves or one per curve. A null/undefined value skips that curve, as d2l
   * skips `None` (e.g. a test accuracy known only at epoch ends).
   */
  add(x: number | readonly number[], ys: number | null | undefined | readonly (number | null | undefined)[]): void {
    const values = Array.isArray(ys) ? (ys as readonly (number | null | undefined)[]) : [ys as number | null | undefined];
    const xs = typeof x === "number" ? values.map(() => x) : (x as readonly number[]);
    if (xs.length !== values.length) {
      throw new RangeError(`Animator.add: got ${xs.length} x values for ${values.length} y values; pass one x or one per y`);
    }
    while (this.curves.length < values.length) this.curves.push({ name: "", x: [], y: [] });
    values.forEach((y, i) => {
      const xi = xs[i];
      const curve = this.curves[i];
      if (y === null || y === undefined || xi === undefined || !curve) return;
      curve.x.push(xi);
      curve.y.push(y);
    });
  }

  /** The curves so far, in legend order (copies). */
  get series(): AnimatorSeries[] {
    return this.curves.map((c) => ({ name: c.name, x: [...c.x], y: [...c.y] }));
  }

  /** Forgets all points, keeping names and options. */
  clear(): void {
    for (const c of this.curves) {
      c.x.length = 0;
      c.y.length = 0;
    }
  }

  /** The chart description the SVG renderer draws (useful to tweak before rendering). */
  chartOptions(): ChartOptions {
    const o = this.options;
    const series: ChartSeries[] = this.curves.map((c, i) => ({ ...(o.styles?.[i] ?? {}), name: c.name, x: c.x, y: c.y }));
    return {
      series,
      ...(o.title !== undefined && { title: o.title }),
      ...(o.xlabel !== undefined && { xlabel: o.xlabel }),
      ...(o.ylabel !== undefined && { ylabel: o.ylabel }),
      ...(o.xlim !== undefined && { xlim: o.xlim }),
      ...(o.ylim !== undefined && { ylim: o.ylim }),
      ...(o.outside !== undefined && { outside: o.outside }),
      ...(o.legendLocation !== undefined && { legend: o.legendLocation }),
      ...(o.width !== undefined && { width: o.width }),
      ...(o.height !== undefined && { height: o.height }),
      ...(o.fontSize !== undefined && { fontSize: o.fontSize }),
    };
  }

  /** The chart as a standalone SVG document (d2l: the figure `display.display(self.fig)` shows). */
  toSvg(overrides: Partial<ChartOptions> = {}): string {
    return renderChartSvg({ ...this.chartOptions(), ...overrides });
  }
}

/**
 * The Animator `train` draws into (d2l: the one `train_ch3` creates): epochs 1..numEpochs on x, 0.3..0.9
 * on y, curves "train loss", "train acc", "test acc". Add `(epoch, [trainLoss, trainAcc, testAcc])`.
 */
export function trainingAnimator(numEpochs: number): Animator {
  if (!(Number.isInteger(numEpochs) && numEpochs >= 1)) throw new RangeError(`trainingAnimator: numEpochs must be a positive integer, got ${numEpochs}`);
  return new Animator({
    xlabel: "epoch",
    xlim: [1, Math.max(2, numEpochs)],
    ylim: [0.3, 0.9],
    legend: ["train loss", "train acc", "test acc"],
  });
}
