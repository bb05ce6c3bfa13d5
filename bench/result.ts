// What one benchmark row reports, and how a row's child process hands it to bench/run.ts:
// one line `BENCH_RESULT {json}` on stdout (everything else the child prints is ignored).

export interface RowResult {
  /** Short id used on the command line (`--only`). */
  id: string;
  /** The row's label in the table. */
  name: string;
  /** Who computes: "this project" or the peer library. */
  project: string;
  /** Milliseconds per epoch (train pass with its metrics + test evaluation), in epoch order. */
  epochMs: number[];
  /** Mean training loss of the last epoch (NaN when the row has no model). */
  trainLoss: number;
  /** Test accuracy after the last epoch (NaN when the row has no model). */
  testAcc: number;
  /** Peak resident set size of the row's process, in MiB. */
  peakRssMiB: number;
  /** Things the table should say about the row (threads used, backend, why an accuracy differs). */
  notes: string[];
  /** Which of bench/run.ts's rounds this result is from (the one with the row's lowest median). */
  round?: number;
}

export const RESULT_PREFIX = "BENCH_RESULT ";

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Peak RSS of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
