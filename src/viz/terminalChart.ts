// The curves as text: an asciichart plot of several series on shared x columns, with x tick labels and a
// legend line, optionally ANSI-coloured. Pure string rendering; the caller owns the terminal.

import asciichart from "asciichart";
import type { ChartSeries, DashStyle } from "./chartTypes.ts";
import { seriesStyle } from "./chartTypes.ts";
import { resolveLimits } from "./chartLayout.ts";
import { niceTicks } from "./ticks.ts";

/** ANSI colours standing in for d2l's blue, magenta, green, red, … */
const ANSI_COLORS = [asciichart.blue, asciichart.magenta, asciichart.green, asciichart.red, asciichart.yellow, asciichart.cyan];
const RESET = asciichart.reset;

/** Horizontal and vertical line characters per dash style, so curves differ without colour too. */
const LINE_CHARS: Record<DashStyle, { h: string; v: string }> = {
  solid: { h: "─", v: "│" },
  dashed: { h: "╌", v: "╎" },
  dashdot: { h: "┄", v: "┆" },
  dotted: { h: "┈", v: "┊" },
};

/** Wraps `text` in the ANSI colour of series `index` when `color` is on. */
export function paint(text: string, index: number, color: boolean): string {
  if (!color) return text;
  return `${ANSI_COLORS[index % ANSI_COLORS.length]}${text}${RESET}`;
}

/** The legend sample for series `index` ("──", "╌╌", …). */
export function legendSample(series: ChartSeries, index: number): string {
  return LINE_CHARS[seriesStyle(series, index).dash].h.repeat(2);
}

/** Options for `renderTerminalChart`. */
export interface TerminalChartOptions {
  series: readonly ChartSeries[];
  xlim?: readonly [number, number];
  ylim?: readonly [number, number];
  xlabel?: string;
  /** Total width in columns (every line fits). */
  width: number;
  /** Rows for the plot itself (axis rows; the x-axis line is extra). At least 2. */
  rows: number;
  color: boolean;
}

/** Runs of consecutive finite points of one series, as [x, y] pairs. */
function finiteRuns(s: ChartSeries): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
    const x = s.x[i];
    const y = s.y[i];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) run.push([x, y]);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Values of one run sampled at the columns its x range covers: contiguous [startColumn, values]. */
function sampleRun(run: readonly [number, number][], columnX: (j: number) => number, columns: number): { start: number; values: number[] } | null {
  const first = run[0];
  const last = run[run.length - 1];
  if (!first || !last) return null;
  const eps = 1e-9 * Math.max(1, Math.abs(last[0] - first[0]));
  const values: number[] = [];
  let start = -1;
  let k = 0;
  for (let j = 0; j < columns; j++) {
    const x = columnX(j);
    if (x < first[0] - eps || x > last[0] + eps) continue;
    while (k < run.length - 2 && (run[k + 1]?.[0] ?? Infinity) < x) k++;
    const a = run[k] ?? first;
    const b = run[k + 1] ?? a;
    const t = b[0] === a[0] ? 0 : Math.min(1, Math.max(0, (x - a[0]) / (b[0] - a[0])));
    if (start < 0) start = j;
    values.push(a[1] + t * (b[1] - a[1]));
  }
  return start < 0 ? null : { start, values };
}

/**
 * The most rows (at most `available`, at least half of it) whose label step is a nice 1, 2, 2.5 or 5 × 10^k,
 * so the y labels read 0.90, 0.85, 0.80 rather than 0.90, 0.82, 0.75; `available` when none is.
 */
function niceRowCount(ymin: number, ymax: number, available: number): number {
  for (let rows = available; rows >= Math.max(2, Math.ceil(available / 2)); rows--) {
    const step = (ymax - ymin) / (rows - 1);
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    if ([1, 2, 2.5, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)) return rows;
  }
  return available;
}

/** Fewest decimals (1..4) that give every row of the y axis a distinct label. */
function labelDecimals(ymin: number, ymax: number, rows: number): number {
  for (let d = 1; d < 4; d++) {
    const labels = Array.from({ length: rows }, (_, i) => (ymax - (i * (ymax - ymin)) / Math.max(1, rows - 1)).toFixed(d));
    if (new Set(labels).size === labels.length) return d;
  }
  return 4;
}

/**
 * Renders the plot lines: y labels + axis, the curves over x columns spanning xlim, and an x-axis
 * label line. Returns the lines (no trailing newline); each is at most `width` visible columns.
 */
export function renderTerminalChart(options: TerminalChartOptions): string[] {
  const { xlim, ylim } = resolveLimits({ series: options.series, ...(options.xlim && { xlim: options.xlim }), ...(options.ylim && { ylim: options.ylim }) });
  const [ymin, ymax] = ylim;
  const rows = niceRowCount(ymin, ymax, Math.max(2, Math.floor(options.rows)));
  const decimals = labelDecimals(ymin, ymax, rows);
  const labelWidth = Math.max(ymin.toFixed(decimals).length, ymax.toFixed(decimals).length) + 1;
  // The x label sits after the axis's last tick: keep room for it when the chart stays 20+ cells wide.
  const xlabelRoom = options.xlabel ? options.xlabel.length + 2 : 0;
  const roomy = options.width - labelWidth - 1 - xlabelRoom >= 20;
  const cells = Math.max(2, options.width - labelWidth - 1 - (roomy ? xlabelRoom : 0));
  const columns = cells + 1; // asciichart draws n values in n - 1 cells
  const columnX = (j: number) => xlim[0] + (j / (columns - 1)) * (xlim[1] - xlim[0]);
  const cfg = { min: ymin, max: ymax, height: rows - 1, offset: 2, format: (v: number) => v.toFixed(decimals).padStart(labelWidth) };

  // asciichart renders every [start, values] piece alone; the pieces are merged into one grid of
  // characters with the owning series kept per cell, so colours and overlaps are ours to decide.
  let grid: { ch: string; owner: number }[][] = [];
  let labels: string[] = [];
  const ensure = (lines: string[]) => {
    if (grid.length > 0) return;
    grid = lines.map(() => Array.from({ length: cells }, () => ({ ch: " ", owner: -1 })));
    labels = lines.map((line) => line.slice(0, labelWidth));
  };
  ensure(asciichart.plot([ymin, ymin], cfg).split("\n"));
  options.series.forEach((s, index) => {
    const chars = LINE_CHARS[seriesStyle(s, index).dash];
    const symbols: [string, string, string, string, string, string, string, string, string, string] = ["┼", "┤", "╶", "╴", chars.h, "╰", "╭", "╮", "╯", chars.v];
    for (const run of finiteRuns(s)) {
      const piece = sampleRun(run, columnX, columns);
      if (!piece) continue;
      // Clamp to the limits: asciichart would otherwise stretch its own range.
      const values = piece.values.map((v) => Math.min(ymax, Math.max(ymin, v)));
      if (values.length === 1) values.push(values[0] ?? ymin); // a lone point becomes a one-cell dash
      const lines = asciichart.plot(values, { ...cfg, symbols }).split("\n");
      lines.forEach((line, r) => {
        const cellsOfLine = [...line.slice(labelWidth + 1)];
        cellsOfLine.forEach((ch, k) => {
          const target = grid[r]?.[Math.min(cells - 1, piece.start + k)];
          if (ch !== " " && target) {
            target.ch = ch;
            target.owner = index;
          }
        });
      });
    }
  });

  const out = grid.map((row, r) => {
    // Colour runs of cells owned by one series with a single escape pair.
    let body = "";
    for (let k = 0; k < row.length; ) {
      const owner = row[k]?.owner ?? -1;
      let run = "";
      while (k < row.length && (row[k]?.owner ?? -1) === owner) run += row[k++]?.ch ?? " ";
      body += owner >= 0 ? paint(run, owner, options.color) : run;
    }
    return `${labels[r] ?? ""}┤${body.replace(/\s+$/, "")}`;
  });
  out.push(xAxisLine(xlim, labelWidth, cells, options.width, options.xlabel));
  return out;
}

/** Tick labels under the plot at their columns (skipping any that would collide), then the x label. */
function xAxisLine(xlim: readonly [number, number], labelWidth: number, cells: number, width: number, xlabel?: string): string {
  const line = Array.from({ length: labelWidth + 1 + cells }, () => " ");
  const integer = Number.isInteger(xlim[0]) && Number.isInteger(xlim[1]);
  const ticks = niceTicks(xlim[0], xlim[1], { maxTicks: Math.max(2, Math.floor(cells / 8)), integer });
  let free = 0; // first column not yet used
  ticks.values.forEach((v, i) => {
    const text = ticks.labels[i] ?? "";
    const col = labelWidth + Math.round(0.5 + ((v - xlim[0]) / (xlim[1] - xlim[0])) * cells);
    const at = Math.min(line.length - text.length, Math.max(free, col - Math.floor(text.length / 2)));
    if (at < free || at + text.length > line.length) return;
    for (let k = 0; k < text.length; k++) line[at + k] = text[k] ?? " ";
    free = at + text.length + 1;
  });
  let text = line.join("").replace(/\s+$/, "");
  if (xlabel && text.length + 2 + xlabel.length <= width) text += `  ${xlabel}`;
  return text;
}
