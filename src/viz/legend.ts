// The chart legend: box size from the label widths, and "best" placement (the candidate spot that
// covers the fewest samples of the drawn lines, in matplotlib's order of preference). Pure geometry.

import type { LegendLocation } from "./chartTypes.ts";
import type { Rect } from "./chartLayout.ts";
import { textWidth } from "./text.ts";

/** Sizes of the legend's parts, all in px, derived from the font size like matplotlib's defaults. */
export interface LegendMetrics {
  box: { width: number; height: number };
  pad: number; // border pad inside the box
  handleLength: number; // the line sample before each label
  handleGap: number; // between the sample and the label
  rowHeight: number;
}

/** Measures a legend for these labels. */
export function legendMetrics(labels: readonly string[], fontSize: number): LegendMetrics {
  const pad = fontSize * 0.5;
  const handleLength = fontSize * 2;
  const handleGap = fontSize * 0.8;
  const rowHeight = fontSize * 1.45;
  const labelWidth = Math.max(0, ...labels.map((l) => textWidth(l, fontSize)));
  return {
    box: { width: pad * 2 + handleLength + handleGap + labelWidth, height: pad * 2 + rowHeight * labels.length - fontSize * 0.45 },
    pad,
    handleLength,
    handleGap,
    rowHeight,
  };
}

const BEST_ORDER: readonly Exclude<LegendLocation, "best">[] = [
  "upper right",
  "upper left",
  "lower left",
  "lower right",
  "right",
  "center left",
  "center right",
  "lower center",
  "upper center",
  "center",
];

/** Top-left corner of a legend box of `size` at `location` inside `plot`, `inset` px from the edges. */
export function legendPosition(
  location: Exclude<LegendLocation, "best">,
  plot: Rect,
  size: { width: number; height: number },
  inset: number,
): { x: number; y: number } {
  const leftX = plot.x + inset;
  const rightX = plot.x + plot.width - inset - size.width;
  const centerX = plot.x + (plot.width - size.width) / 2;
  const topY = plot.y + inset;
  const bottomY = plot.y + plot.height - inset - size.height;
  const centerY = plot.y + (plot.height - size.height) / 2;
  switch (location) {
    case "upper right":
      return { x: rightX, y: topY };
    case "upper left":
      return { x: leftX, y: topY };
    case "lower left":
      return { x: leftX, y: bottomY };
    case "lower right":
      return { x: rightX, y: bottomY };
    case "right":
    case "center right":
      return { x: rightX, y: centerY };
    case "center left":
      return { x: leftX, y: centerY };
    case "lower center":
      return { x: centerX, y: bottomY };
    case "upper center":
      return { x: centerX, y: topY };
    case "center":
      return { x: centerX, y: centerY };
  }
}

/**
 * Picks the location whose box covers the fewest line samples; `lines` are polylines in SVG px.
 * Ties go to the earlier location in matplotlib's order (upper right first).
 */
export function bestLegendLocation(
  lines: readonly (readonly [number, number])[][],
  plot: Rect,
  size: { width: number; height: number },
  inset: number,
): Exclude<LegendLocation, "best"> {
  // Sample every line about every 2 px so long segments count in proportion to what they hide.
  const samples: [number, number][] = [];
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      const a = line[i];
      if (!a) continue;
      samples.push([a[0], a[1]]);
      const b = line[i + 1];
      if (!b) continue;
      const steps = Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 2);
      for (let k = 1; k < steps; k++) {
        const t = k / steps;
        samples.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
      }
    }
  }
  let best: Exclude<LegendLocation, "best"> = "upper right";
  let bestCount = Infinity;
  for (const location of BEST_ORDER) {
    const { x, y } = legendPosition(location, plot, size, inset);
    let count = 0;
    for (const [sx, sy] of samples) {
      if (sx >= x && sx <= x + size.width && sy >= y && sy <= y + size.height) count++;
    }
    if (count < bestCount) {
      best = location;
      bestCount = count;
    }
  }
  return best;
}
