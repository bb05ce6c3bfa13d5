// Number formats the page shares: percentages, counts, rates and durations (the terminal's m:ss).

export { formatDuration } from "../../src/viz/terminal.ts";

/** 0.8342 → "83.42%"; "–" when not finite. */
export function percent(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
}

/** 60000 → "60,000". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Examples per second, e.g. "48,210 ex/s"; "–" when unknown. */
export function rate(examplesPerSecond: number): string {
  return Number.isFinite(examplesPerSecond) && examplesPerSecond > 0 ? `${count(examplesPerSecond)} ex/s` : "–";
}

/** A byte count in MB with one decimal. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
