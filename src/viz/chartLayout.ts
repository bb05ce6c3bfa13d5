// Resolves a chart's limits (fixed, automatic, widened) and its geometry: plot rectangle, ticks, margins.
// Pure numbers; the SVG renderer draws from this, and tests use it to predict pixel positions.

import type { ChartOptions, ChartSeries } from "./chartTypes.ts";
import { niceLimits, niceTicks, stepDecimals, formatTick, type Ticks } from "./ticks.ts";
import { minusSign, textWidth } from "./text.ts";

/** The plot rectangle in SVG px (y grows downward). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where everything goes: sizes, the plot rectangle, final limits and ticks. */
export interface ChartGeometry {
  width: number;
  height: number;
  fontSize: number;
  plot: Rect;
  xlim: [number, number];
  ylim: [number, number];
  xTicks: Ticks;
  yTicks: Ticks;
  /** Maps a data x to an SVG x. */
  px: (x: number) => number;
  /** Maps a data y to an SVG y. */
  py: (y: number) => number;
}

export const OUTER_PAD = 10; // px between the SVG edge and the outermost text
export const TICK_LENGTH = 5;

/** The finite extent of all points, or null when there are none. */
function dataExtent(series: readonly ChartSeries[], axis: "x" | "y"): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (typeof x !== "number" || typeof y !== "number" || !Number.isFinite(x) || !Number.isFinite(y)) continue;
      const v = axis === "x" ? x : y;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

function checkLimits(name: string, lim: readonly [number, number]): [number, number] {
  const [lo, hi] = lim;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new RangeError(`chart: ${name} must be two finite numbers with min < max, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

/** Pushes a fixed limit out to the next multiple of the new range's tick step where data falls outside. */
function widen(lim: [number, number], extent: [number, number] | null, round: boolean): [number, number] {
  if (!extent) return lim;
  let [lo, hi] = lim;
  const [dlo, dhi] = extent;
  if (dlo >= lo && dhi <= hi) return lim;
  const newLo = Math.min(lo, dlo);
  const newHi = Math.max(hi, dhi);
  if (!round) return [newLo, newHi];
  const { step } = niceTicks(newLo, newHi, { maxTicks: 11 });
  const decimals = stepDecimals(step);
  if (dlo < lo) lo = Number(formatTick(Math.floor(dlo / step + 1e-9) * step, decimals));
  if (dhi > hi) hi = Number(formatTick(Math.ceil(dhi / step - 1e-9) * step, decimals));
  return [lo, hi];
}

/** Final x and y limits for `options` (see `OutsideLimits` for what happens to data outside fixed ones). */
export function resolveLimits(options: ChartOptions): { xlim: [number, number]; ylim: [number, number] } {
  const xExt = dataExtent(options.series, "x");
  const yExt = dataExtent(options.series, "y");
  const outside = options.outside ?? "widen";
  let xlim: [number, number];
  if (options.xlim) {
    xlim = checkLimits("xlim", options.xlim);
    if (outside === "widen") xlim = widen(xlim, xExt, false);
  } else if (xExt) {
    // Tight on x, as d2l's xlim=[1, num_epochs]: the curves span the full width.
    xlim = xExt[0] === xExt[1] ? niceLimits(xExt[0], xExt[1]) : [xExt[0], xExt[1]];
  } else {
    xlim = [0, 1];
  }
  let ylim: [number, number];
  if (options.ylim) {
    ylim = checkLimits("ylim", options.ylim);
    if (outside === "widen") ylim = widen(ylim, yExt, true);
  } else {
    ylim = yExt ? niceLimits(yExt[0], yExt[1]) : [0, 1];
  }
  return { xlim, ylim };
}

/** True when every x in the data (and the limits) is an integer: such axes get integer ticks only. */
function integerAxis(series: readonly ChartSeries[], xlim: readonly [number, number]): boolean {
  if (!Number.isInteger(xlim[0]) || !Number.isInteger(xlim[1])) return false;
  return series.every((s) => s.x.every((x) => Number.isInteger(x) || !Number.isFinite(x)));
}

/** Computes limits, ticks and the plot rectangle for `options` (margins fit the tick labels, like a tight layout). */
export function chartGeometry(options: ChartOptions): ChartGeometry {
  const width = options.width ?? 560;
  const height = options.height ?? 400;
  const fontSize = options.fontSize ?? 13;
  if (!(width > 0 && height > 0 && fontSize > 0)) {
    throw new RangeError(`chart: width, height and fontSize must be positive, got ${width}, ${height}, ${fontSize}`);
  }
  const { xlim, ylim } = resolveLimits(options);
  const lineHeight = fontSize * 1.25;
  const top = OUTER_PAD + (options.title ? fontSize * 1.2 * 1.25 + fontSize * 0.5 : fontSize * 0.5);
  const bottom = OUTER_PAD + TICK_LENGTH + fontSize * 0.35 + lineHeight + (options.xlabel ? lineHeight + fontSize * 0.2 : 0);
  const plotHeight = Math.max(10, height - top - bottom);
  // y ticks at least ~2.4 lines apart; the widest label sets the left margin.
  const yTicks = niceTicks(ylim[0], ylim[1], { maxTicks: Math.max(2, Math.floor(plotHeight / (fontSize * 2.4)) + 1) });
  const yLabelWidth = Math.max(0, ...yTicks.labels.map((l) => textWidth(minusSign(l), fontSize)));
  const left = OUTER_PAD + (options.ylabel ? lineHeight + fontSize * 0.3 : 0) + yLabelWidth + fontSize * 0.35 + TICK_LENGTH;
  // Leave room for half of the last x tick label past the right edge.
  const roughX = niceTicks(xlim[0], xlim[1], { maxTicks: 8, integer: integerAxis(options.series, xlim) });
  const lastLabel = roughX.labels[roughX.labels.length - 1] ?? "";
  const right = OUTER_PAD + Math.max(fontSize * 0.5, textWidth(lastLabel, fontSize) / 2);
  const plotWidth = Math.max(10, width - left - right);
  const widest = Math.max(...roughX.labels.map((l) => textWidth(l, fontSize)), fontSize);
  const xTicks = niceTicks(xlim[0], xlim[1], {
    maxTicks: Math.max(2, Math.floor(plotWidth / (widest + fontSize * 3)) + 1),
    integer: integerAxis(options.series, xlim),
  });
  const plot: Rect = { x: left, y: top, width: plotWidth, height: plotHeight };
  const px = (x: number) => plot.x + ((x - xlim[0]) / (xlim[1] - xlim[0])) * plot.width;
  const py = (y: number) => plot.y + plot.height - ((y - ylim[0]) / (ylim[1] - ylim[0])) * plot.height;
  return { width, height, fontSize, plot, xlim, ylim, xTicks, yTicks, px, py };
}
