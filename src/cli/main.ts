#!/usr/bin/env node
// The `softmax` command line: global help/version, then dispatch to one command per file
// (src/cli/<name>.ts, listed in COMMAND_MODULES). Exit codes: 0 ok, 1 failure, 2 bad command line.

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command, CommandIo } from "./command.ts";
import { parseCommandArgs } from "./command.ts";
import { packageVersion } from "./version.ts";
import { messageOf, UsageError } from "./errors.ts";
import { commandHelp, globalHelp } from "./help.ts";

/**
 * Every subcommand, in the help's order; a new command is one file plus one entry here. Each is imported
 * only when needed, so a run loads its own command's modules and not the others' (tens of milliseconds).
 */
const COMMAND_MODULES: Readonly<Record<string, () => Promise<Command>>> = {
  train: async () => (await import("./train.ts")).trainCommand,
  eval: async () => (await import("./eval.ts")).evalCommand,
  predict: async () => (await import("./predict.ts")).predictCommand,
  show: async () => (await import("./show.ts")).showCommand,
  data: async () => (await import("./data.ts")).dataCommand,
};

/** Every subcommand, loaded (for the global help). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(COMMAND_MODULES).map((load) => load()));
}

function findCommand(name: string): Promise<Command> {
  const load = Object.hasOwn(COMMAND_MODULES, name) ? COMMAND_MODULES[name] : undefined;
  if (!load) {
    throw new UsageError(`unknown command '${name}'; commands: ${[...Object.keys(COMMAND_MODULES), "help"].join(", ")}`);
  }
  return load();
}

/** Runs the CLI on `argv` (the words after `softmax`) and returns the exit code; never exits itself. */
export async function main(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stderr.write(globalHelp(await loadCommands()));
      return 2;
    }
    if (first === "-h" || first === "--help") {
      io.stdout.write(globalHelp(await loadCommands()));
      return 0;
    }
    if (first === "-v" || first === "--version") {
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (first === "help") {
      if (rest.length > 1) throw new UsageError(`help takes one command name, got ${rest.length}`);
      io.stdout.write(rest[0] === undefined ? globalHelp(await loadCommands()) : commandHelp(await findCommand(rest[0])));
      return 0;
    }
    if (first.startsWith("-")) {
      throw new UsageError(`unknown option '${first}'; before a command only --help and --version are accepted`);
    }
    const command = await findCommand(first);
    const { help, values, positionals } = parseCommandArgs(command, rest);
    if (help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return (await command.run(values, positionals, io)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message.startsWith("softmax") ? "" : "softmax: "}${error.message}\n`);
      return 2;
    }
    io.stderr.write(`softmax: error: ${messageOf(error)}\n`);
    if (io.env["SOFTMAX_DEBUG"] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // npm's bin link is a symlink to dist/cli/main.js: compare real paths.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** A reader that went away (`softmax train --json | head -1`) ends the command quietly, as SIGPIPE ends other tools. */
function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
}

if (isEntryPoint()) {
  exitOnClosedPipe(process.stdout);
  exitOnClosedPipe(process.stderr);
  process.exitCode = await main(process.argv.slice(2));
}
