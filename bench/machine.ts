// The machine a benchmark ran on, for the table's header: CPU model (from /proc/cpuinfo where there is
// one), logical cores, Node version, OS. Node only.

import { readFileSync } from "node:fs";
import { availableParallelism, cpus, release, type } from "node:os";

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown CPU";
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (model?.[1]) cpu = model[1].trim();
  } catch {
    // No /proc (macOS, Windows): os.cpus() said what it could.
  }
  return { cpu, cores: availableParallelism(), node: process.version, os: `${type()} ${release()}` };
}
