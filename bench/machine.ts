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
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.+)$`, "m").exec(info)?.[1]?.trim();
    const model = field("model name");
    if (model) cpu = model;
    // A virtual machine's model name may say only "AMD EPYC": family and model tell the generation
    // (AMD family 25 is Zen 3/Zen 4, 26 is Zen 5), and the clock what it runs at.
    const family = field("cpu family"), number = field("model"), mhz = field("cpu MHz");
    if (family && number) cpu += ` (family ${family}, model ${number}${mhz ? `, ${Math.round(Number(mhz))} MHz` : ""})`;
  } catch {
    // No /proc (macOS, Windows): os.cpus() said what it could.
  }
  return { cpu, cores: availableParallelism(), node: process.version, os: `${type()} ${release()}` };
}
