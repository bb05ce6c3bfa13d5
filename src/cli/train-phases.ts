// `softmax train --verbose`: where a run's time went, phase by phase from process start to the last file,
// and the fused trainer's per-thread phases, as text for stderr. Formatting only; the command measures.

import { PHASES } from "../kernels/wasm/plan.ts";
import type { PhaseTimes } from "../kernels/wasm/resident.ts";

interface PhaseRow {
  name: string;
  ms: number;
  /** 1 for a part of the row above at depth 0. */
  depth: number;
}

/** The phases of one run, in the order they happened; parts of a phase are indented under it. */
export class PhaseLog {
  private readonly rows: PhaseRow[] = [];

  /** A phase of the run (`depth` 1: a part of the phase added before it). */
  add(name: string, ms: number, depth = 0): void {
    this.rows.push({ name, ms, depth });
  }

  /** The table: one phase per line with its milliseconds, then the total from process start. */
  format(totalMs: number): string {
    const rows = [...this.rows, { name: "total (wall clock, from process start)", ms: totalMs, depth: 0 }];
    const labels = rows.map((r) => `${"  ".repeat(r.depth + 1)}${r.name}`);
    const width = Math.max(...labels.map((l) => l.length)) + 2;
    const lines = rows.map((r, i) => `${labels[i]!.padEnd(width)}${r.ms.toFixed(1).padStart(8)} ms`);
    return `phases (one run: expect noise of ±10 % and more on a busy machine):\n${lines.join("\n")}\n`;
  }
}

/** Per thread, the milliseconds of each phase of the fused trainer's kernels, Σ over the run. */
export function threadPhaseTable(threads: readonly PhaseTimes[]): string {
  const width = Math.max(...PHASES.map((p) => p.length)) + 2;
  const header = `  ${"".padEnd(10)}${PHASES.map((p) => p.padStart(width)).join("")}`;
  const lines = threads.map((t, i) => `  ${`thread ${i}`.padEnd(10)}${PHASES.map((p) => `${t[p].toFixed(1)} ms`.padStart(width)).join("")}`);
  return `fused trainer, per thread (Σ over the run; wait = at the barriers):\n${header}\n${lines.join("\n")}\n`;
}
