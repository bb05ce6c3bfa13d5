// Runs the `softmax` CLI as a child process (node --import tsx src/cli/main.ts) with a private cache, so
// tests never read or write the user's cache; plain output (NO_COLOR, pipes).

import { execFile, spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function envFor(cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: "1" };
  delete env["SOFTMAX_DATA_DIR"];
  return env;
}

/** `softmax <args>` to completion; resolves with the exit code and both outputs. */
export function softmax(args: readonly string[], cache: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: root, env: envFor(cache), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `softmax <args>` as a live child process (to send it signals). */
export function spawnSoftmax(args: readonly string[], cache: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, env: envFor(cache) });
}
