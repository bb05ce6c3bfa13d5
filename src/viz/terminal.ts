// Terminal output as pure strings: the live frame (progress line + chart of the curves + legend), the
// plain one-line-per-epoch format and JSON lines. The CLI owns the TTY, redraws and NO_COLOR.

import type { ChartSeries } from "./chartTypes.ts";
import { legendSample, paint, renderTerminalChart } from "./terminalChart.ts";

/** Where training stands inside the current epoch. */
export interface TerminalProgress {
  epoch: number; // 1-based
  numEpochs: number;
  batch: number; // batches done in this epoch
  numBatches: number;
  /** Training speed; omitted while unknown. */
  examplesPerSecond?: number;
  /** Estimated seconds until training ends; omitted while unknown. */
  etaSeconds?: number;
}

/** One epoch's results, as `train` reports them through `onEpochEnd`. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
}

const ANSI_PATTERN = /\x1b\[[0-9;]*m/g;

/** `text` without ANSI colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, "");
}

/** Visible width of a line (ANSI codes take no columns; every other character counts as one). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}

/** Seconds as "m:ss" or "h:mm:ss"; "--:--" when unknown or not finite. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A rate with thousands separators ("12,345 ex/s"); "-- ex/s" when unknown. */
function formatRate(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate) || rate < 0) return "-- ex/s";
  return `${Math.round(rate).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")} ex/s`;
}

/**
 * The progress line: `epoch 3/10 ██████░░░░ 120/235  12,345 ex/s  ETA 0:42`, fitted to `width` columns
 * (the bar shrinks first, then the rate and ETA are dropped).
 */
export function formatProgressLine(progress: TerminalProgress, options: { width: number; color: boolean }): string {
  const epochs = String(progress.numEpochs);
  const head = `epoch ${String(progress.epoch).padStart(epochs.length)}/${epochs}`;
  const total = String(progress.numBatches);
  const count = `${String(progress.batch).padStart(total.length)}/${total}`;
  const tails = [`  ${formatRate(progress.examplesPerSecond)}  ETA ${formatDuration(progress.etaSeconds)}`, `  ETA ${formatDuration(progress.etaSeconds)}`, ""];
  const fraction = progress.numBatches > 0 ? Math.min(1, Math.max(0, progress.batch / progress.numBatches)) : 0;
  for (const tail of tails) {
    const barWidth = Math.min(30, options.width - head.length - count.length - tail.length - 2);
    if (barWidth < 8 && tail !== "") continue;
    if (barWidth < 3) break;
    const done = Math.round(fraction * barWidth);
    const bar = paint("█".repeat(done), 0, options.color) + "░".repeat(barWidth - done);
    return `${head} ${bar} ${count}${tail}`;
  }
  return `${head} ${count}`.slice(0, Math.max(0, options.width));
}

/** Options for `renderTerminalFrame`. */
export interface TerminalFrameOptions {
  /** The curves so far, e.g. `animator.series`. */
  series: readonly ChartSeries[];
  xlim?: readonly [number, number];
  ylim?: readonly [number, number];
  xlabel?: string;
  /** The current epoch's progress; omitted after training ends. */
  progress?: TerminalProgress;
  /** Terminal size: every line fits `width` columns and the frame has at most `height` lines. */
  width: number;
  height: number;
  /** ANSI colours on or off (the CLI turns them off for NO_COLOR or a non-TTY). */
  color: boolean;
}

/** The legend line: each series' line sample, name and latest value, fitted to `width`. */
export function formatLegendLine(series: readonly ChartSeries[], options: { width: number; color: boolean }): string {
  const entries = (withValues: boolean) =>
    series.map((s, i) => {
      let last: number | null = null;
      for (let k = s.y.length - 1; k >= 0; k--) {
        const v = s.y[k];
        if (typeof v === "number" && Number.isFinite(v)) {
          last = v;
          break;
        }
      }
      const value = withValues && last !== null ? ` ${last.toFixed(3)}` : "";
      return { plain: `${legendSample(s, i)} ${s.name}${value}`, painted: `${paint(legendSample(s, i), i, options.color)} ${s.name}${value}` };
    });
  for (const withValues of [true, false]) {
    const parts = entries(withValues);
    if (parts.map((p) => p.plain).join("   ").length <= options.width) return parts.map((p) => p.painted).join("   ");
  }
  return entries(false)
    .map((p) => p.plain)
    .join(" ")
    .slice(0, Math.max(0, options.width));
}

/**
 * One frame of the live view (d2l: what `Animator` shows in a notebook, as terminal text): the progress
 * line, the three curves and a legend. Returns lines joined by "\n" without a trailing newline; the
 * caller moves the cursor up and redraws. Charts need at least 6 lines; smaller terminals get the
 * progress and legend only.
 */
export function renderTerminalFrame(options: TerminalFrameOptions): string {
  const width = Math.max(1, Math.floor(options.width));
  const height = Math.max(1, Math.floor(options.height));
  const lines: string[] = [];
  if (options.progress) lines.push(formatProgressLine(options.progress, { width, color: options.color }));
  const legend = formatLegendLine(options.series, { width, color: options.color });
  const chartRows = height - lines.length - 2; // minus the x-axis line and the legend
  if (chartRows >= 3 && width >= 20) {
    lines.push(
      ...renderTerminalChart({
        series: options.series,
        ...(options.xlim && { xlim: options.xlim }),
        ...(options.ylim && { ylim: options.ylim }),
        ...(options.xlabel !== undefined && { xlabel: options.xlabel }),
        width,
        rows: Math.min(chartRows, 16),
        color: options.color,
      }),
    );
  }
  if (lines.length < height) lines.push(legend);
  return lines.slice(0, height).join("\n");
}

/** The plain line printed once per epoch when stdout is not a terminal: `epoch  3/10  train loss 0.5123  train acc 0.8312  test acc 0.8220  4.1 s`. */
export function formatEpochLine(metrics: EpochMetrics, options: { numEpochs?: number; seconds?: number } = {}): string {
  const of = options.numEpochs !== undefined ? `/${options.numEpochs}` : "";
  const pad = options.numEpochs !== undefined ? String(options.numEpochs).length : 0;
  const parts = [
    `epoch ${String(metrics.epoch).padStart(pad)}${of}`,
    `train loss ${metrics.trainLoss.toFixed(4)}`,
    `train acc ${metrics.trainAcc.toFixed(4)}`,
    `test acc ${metrics.testAcc.toFixed(4)}`,
  ];
  if (options.seconds !== undefined && Number.isFinite(options.seconds)) parts.push(`${options.seconds.toFixed(1)} s`);
  return parts.join("  ");
}

/**
 * One JSON line for machines (`--json`): `{"event":"epoch","epoch":3,"trainLoss":…,"trainAcc":…,"testAcc":…}`
 * plus any `extra` fields (e.g. `numEpochs`, `seconds`). Non-finite numbers become null, so every line parses.
 */
export function formatEpochJson(metrics: EpochMetrics, extra: Record<string, string | number | boolean | null> = {}): string {
  const record = { event: "epoch", ...extra, epoch: metrics.epoch, trainLoss: metrics.trainLoss, trainAcc: metrics.trainAcc, testAcc: metrics.testAcc };
  return JSON.stringify(record, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value));
}
