// The pure SVG line chart: axes with nice ticks, light grid, several styled series, legend, title and
// axis labels, drawn in the look of the chapter's matplotlib figures. Plain data in, SVG text out.

import type { ChartOptions, DashStyle, MarkerStyle, SeriesStyle } from "./chartTypes.ts";
import { seriesStyle } from "./chartTypes.ts";
import { chartGeometry, OUTER_PAD, TICK_LENGTH, type ChartGeometry } from "./chartLayout.ts";
import { bestLegendLocation, legendMetrics, legendPosition } from "./legend.ts";
import { CAP_HEIGHT, FONT_FAMILY, escapeXml, minusSign, num, svgText } from "./text.ts";

const LINE_WIDTH = 2; // matplotlib's 1.5 pt at 100 dpi
const AXIS_COLOR = "#000000";
const AXIS_WIDTH = 1.1; // 0.8 pt
const GRID_COLOR = "#dcdcdc";
const TEXT_COLOR = "#1a1a1a";

// matplotlib's dash patterns, in multiples of the line width (lines.dashed_pattern etc.).
const DASH_PATTERNS: Record<DashStyle, readonly number[]> = {
  solid: [],
  dashed: [3.7, 1.6],
  dashdot: [6.4, 1.6, 1, 1.6],
  dotted: [1, 1.65],
};

/** The stroke attributes for a line of this style and width. */
export function strokeAttributes(style: SeriesStyle, width: number): string {
  const pattern = DASH_PATTERNS[style.dash];
  const dash = pattern.length > 0 ? ` stroke-dasharray="${pattern.map((p) => num(p * width)).join(" ")}"` : "";
  return `fill="none" stroke="${style.color}" stroke-width="${num(width)}" stroke-linejoin="round" stroke-linecap="butt"${dash}`;
}

/** One marker centred at (x, y). */
export function markerSvg(marker: MarkerStyle, x: number, y: number, color: string, size: number): string {
  const r = size / 2;
  switch (marker) {
    case "none":
      return "";
    case "circle":
      return `<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" fill="${color}"/>`;
    case "square":
      return `<rect x="${num(x - r)}" y="${num(y - r)}" width="${num(size)}" height="${num(size)}" fill="${color}"/>`;
    case "triangle":
      return `<path d="M${num(x)} ${num(y - r * 1.15)}L${num(x + r)} ${num(y + r * 0.75)}L${num(x - r)} ${num(y + r * 0.75)}Z" fill="${color}"/>`;
    case "diamond":
      return `<path d="M${num(x)} ${num(y - r * 1.2)}L${num(x + r)} ${num(y)}L${num(x)} ${num(y + r * 1.2)}L${num(x - r)} ${num(y)}Z" fill="${color}"/>`;
  }
}

/** Each series as polylines in SVG px: runs of consecutive finite points (null or NaN y starts a new run). */
export function seriesPolylines(options: ChartOptions, geometry: ChartGeometry): [number, number][][][] {
  return options.series.map((s) => {
    const runs: [number, number][][] = [];
    let run: [number, number][] = [];
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) {
        run.push([geometry.px(x), geometry.py(y)]);
      } else if (run.length > 0) {
        runs.push(run);
        run = [];
      }
    }
    if (run.length > 0) runs.push(run);
    return runs;
  });
}

function pathData(runs: readonly (readonly [number, number])[][]): string {
  return runs.map((run) => run.map(([x, y], i) => `${i === 0 ? "M" : "L"}${num(x)} ${num(y)}`).join("")).join("");
}

function gridSvg(options: ChartOptions, g: ChartGeometry): string[] {
  const { plot } = g;
  const out: string[] = [];
  const bottom = plot.y + plot.height;
  const xs = g.xTicks.values.map((v) => g.px(v));
  const ys = g.yTicks.values.map((v) => g.py(v));
  if (options.grid ?? true) {
    const lines = [
      ...xs.map((x) => `M${num(x)} ${num(plot.y)}V${num(bottom)}`),
      ...ys.map((y) => `M${num(plot.x)} ${num(y)}H${num(plot.x + plot.width)}`),
    ];
    out.push(`<path class="grid" d="${lines.join("")}" fill="none" stroke="${GRID_COLOR}" stroke-width="1"/>`);
  }
  return out;
}

function ticksSvg(g: ChartGeometry): string[] {
  const { plot, fontSize } = g;
  const bottom = plot.y + plot.height;
  const out: string[] = [];
  const tickPath = [
    ...g.xTicks.values.map((v) => `M${num(g.px(v))} ${num(bottom)}v${TICK_LENGTH}`),
    ...g.yTicks.values.map((v) => `M${num(plot.x)} ${num(g.py(v))}h${-TICK_LENGTH}`),
  ].join("");
  out.push(`<path class="ticks" d="${tickPath}" stroke="${AXIS_COLOR}" stroke-width="${AXIS_WIDTH}"/>`);
  const labelY = bottom + TICK_LENGTH + fontSize * 0.35 + fontSize * CAP_HEIGHT + 1;
  out.push(`<g class="x-tick-labels">`);
  g.xTicks.values.forEach((v, i) => {
    out.push(svgText(g.px(v), labelY, minusSign(g.xTicks.labels[i] ?? ""), { size: fontSize, anchor: "middle", className: "tick-label" }));
  });
  out.push(`</g><g class="y-tick-labels">`);
  g.yTicks.values.forEach((v, i) => {
    const x = plot.x - TICK_LENGTH - fontSize * 0.35;
    const y = g.py(v) + (fontSize * CAP_HEIGHT) / 2;
    out.push(svgText(x, y, minusSign(g.yTicks.labels[i] ?? ""), { size: fontSize, anchor: "end", className: "tick-label" }));
  });
  out.push(`</g>`);
  return out;
}

function labelsSvg(options: ChartOptions, g: ChartGeometry): string[] {
  const { plot, fontSize } = g;
  const out: string[] = [];
  const cx = plot.x + plot.width / 2;
  if (options.title) {
    const size = fontSize * 1.2;
    out.push(svgText(cx, plot.y - fontSize * 0.6, options.title, { size, anchor: "middle", className: "title" }));
  }
  if (options.xlabel) {
    const y = plot.y + plot.height + TICK_LENGTH + fontSize * 0.35 + fontSize * 1.25 + fontSize * 0.2 + fontSize * CAP_HEIGHT + 1;
    out.push(svgText(cx, y, options.xlabel, { size: fontSize, anchor: "middle", className: "xlabel" }));
  }
  if (options.ylabel) {
    // Rotated -90°: the baseline sits one cap height right of the SVG edge padding.
    const x = OUTER_PAD + fontSize * CAP_HEIGHT + 1;
    const y = plot.y + plot.height / 2;
    out.push(svgText(x, y, options.ylabel, { size: fontSize, anchor: "middle", rotate: -90, className: "ylabel" }));
  }
  return out;
}

function legendSvg(options: ChartOptions, g: ChartGeometry, runs: [number, number][][][]): string[] {
  const location = options.legend ?? "best";
  const named = options.series.map((s, i) => ({ s, i })).filter(({ s }) => s.name !== "");
  if (location === "none" || named.length === 0) return [];
  const { fontSize } = g;
  const m = legendMetrics(
    named.map(({ s }) => s.name),
    fontSize,
  );
  const inset = fontSize * 0.5;
  const where = location === "best" ? bestLegendLocation(runs.flat(), g.plot, m.box, inset) : location;
  const { x, y } = legendPosition(where, g.plot, m.box, inset);
  const out = [
    `<g class="legend" data-location="${where}">`,
    `<rect x="${num(x)}" y="${num(y)}" width="${num(m.box.width)}" height="${num(m.box.height)}" rx="${num(fontSize * 0.3)}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc" stroke-width="1"/>`,
  ];
  named.forEach(({ s, i }, row) => {
    const style = seriesStyle(s, i);
    const cy = y + m.pad + row * m.rowHeight + fontSize * 0.5;
    const hx = x + m.pad;
    out.push(`<g class="legend-entry" data-series="${i}">`);
    out.push(`<path d="M${num(hx)} ${num(cy)}h${num(m.handleLength)}" ${strokeAttributes(style, LINE_WIDTH)}/>`);
    out.push(markerSvg(style.marker, hx + m.handleLength / 2, cy, style.color, LINE_WIDTH * 3.5));
    out.push(svgText(hx + m.handleLength + m.handleGap, cy + (fontSize * CAP_HEIGHT) / 2, s.name, { size: fontSize }));
    out.push(`</g>`);
  });
  out.push(`</g>`);
  return out;
}

/**
 * Renders a line chart as a standalone SVG document (d2l: the matplotlib figure `Animator` draws via
 * `set_axes` + `plot`). Limits, ticks and margins come from `chartGeometry`; the plot rectangle is
 * marked `class="plot-area"` and the final limits are in `data-xlim`/`data-ylim` on the root.
 */
export function renderChartSvg(options: ChartOptions): string {
  const g = chartGeometry(options);
  const { plot, width, height } = g;
  const runs = seriesPolylines(options, g);
  const clip = (options.outside ?? "widen") === "clip";
  const label = options.title ?? [options.ylabel, options.xlabel].filter(Boolean).join(" vs ");
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}"` +
      ` font-family="${FONT_FAMILY}" fill="${TEXT_COLOR}" role="img" aria-label="${escapeXml(label || "line chart")}"` +
      ` data-xlim="${g.xlim.join(" ")}" data-ylim="${g.ylim.join(" ")}">`,
  ];
  if (options.title) out.push(`<title>${escapeXml(options.title)}</title>`);
  const background = options.background ?? "#ffffff";
  if (background !== "none") out.push(`<rect class="background" width="100%" height="100%" fill="${escapeXml(background)}"/>`);
  // The id is derived from the rectangle, so several charts inline in one page never clash (equal ids
  // mean equal rectangles).
  const clipId = `plot-clip-${[plot.x, plot.y, plot.width, plot.height].map((v) => Math.round(v * 100)).join("-")}`;
  if (clip) {
    out.push(`<defs><clipPath id="${clipId}"><rect x="${num(plot.x)}" y="${num(plot.y)}" width="${num(plot.width)}" height="${num(plot.height)}"/></clipPath></defs>`);
  }
  out.push(`<rect class="plot-area" x="${num(plot.x)}" y="${num(plot.y)}" width="${num(plot.width)}" height="${num(plot.height)}" fill="none"/>`);
  out.push(...gridSvg(options, g));
  out.push(`<g class="series-group"${clip ? ` clip-path="url(#${clipId})"` : ""}>`);
  options.series.forEach((s, i) => {
    const style = seriesStyle(s, i);
    const seriesRuns = runs[i] ?? [];
    out.push(`<g class="series" data-series="${i}" data-name="${escapeXml(s.name)}">`);
    if (seriesRuns.length > 0) out.push(`<path class="line" d="${pathData(seriesRuns)}" ${strokeAttributes(style, LINE_WIDTH)}/>`);
    if (style.marker !== "none") {
      for (const [x, y] of seriesRuns.flat()) out.push(markerSvg(style.marker, x, y, style.color, LINE_WIDTH * 3.5));
    }
    out.push(`</g>`);
  });
  out.push(`</g>`);
  // Spines on top of the lines, as matplotlib draws them.
  out.push(
    `<rect class="frame" x="${num(plot.x)}" y="${num(plot.y)}" width="${num(plot.width)}" height="${num(plot.height)}" fill="none" stroke="${AXIS_COLOR}" stroke-width="${AXIS_WIDTH}"/>`,
  );
  out.push(...ticksSvg(g), ...labelsSvg(options, g), ...legendSvg(options, g, runs));
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
