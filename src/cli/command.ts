// What a `softmax` subcommand is (name, options, examples, run) and how its arguments are parsed:
// node:util parseArgs plus choices and number checks, every mistake a one-line UsageError.

import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** One `--flag` of a command. Numbers are parsed and checked here, not by parseArgs. */
export interface OptionSpec {
  type: "string" | "boolean" | "number" | "integer";
  short?: string;
  /** Placeholder shown in help, e.g. "DIR" (value-taking options only). */
  valueName?: string;
  description: string;
  /** Accepted values of a string option. */
  choices?: readonly string[];
  /** Shown in help as "(default: …)"; the command applies it. */
  defaultText?: string;
}

type OptionValue<S extends OptionSpec> = S["type"] extends "boolean" ? boolean : S["type"] extends "string" ? string : number;

/** Parsed option values, typed from the command's option specs (undefined when not given). */
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]: OptionValue<O[K]> | undefined };

/** Where a command writes; tests and embedders can pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

/** A subcommand; each lives in its own file `src/cli/<name>.ts` and is listed once in main.ts. */
export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs shown under the usage line. */
  description?: string;
  /** Positional arguments, e.g. "FILE..." (none when absent). */
  positionals?: { usage: string; min?: number; max?: number };
  options: O;
  examples: readonly { command: string; description: string }[];
  /** Runs the command; returns the exit code (0 when nothing is returned). */
  run(values: OptionValues<O>, positionals: string[], io: CommandIo): Promise<number | void>;
}

/**
 * Declares a command: `run` gets its option values typed from `options`; the result is the plain
 * `Command` the registry and parser handle (the values' runtime shape is exactly what `run` expects).
 */
export function defineCommand<const O extends Record<string, OptionSpec>>(command: Command<O>): Command {
  return command as unknown as Command;
}

function flag(name: string): string {
  return `--${name}`;
}

function acceptedFlags(options: Record<string, OptionSpec>): string {
  return [...Object.keys(options).map(flag), "--help"].join(", ");
}

/** Translates parseArgs' errors into one line naming the flag and what is accepted. */
function usageErrorFrom<O extends Record<string, OptionSpec>>(error: unknown, command: Command<O>): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const prefix = `softmax ${command.name}:`;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`${prefix} unknown option '${quoted}'; accepted: ${acceptedFlags(command.options)}`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const long = /--([\w-]+)/.exec(quoted)?.[1] ?? quoted;
      const name = `--${long}`;
      const spec = command.options[long];
      // "argument missing" at the end of the line; "ambiguous" when the next word is another flag.
      if (/argument missing|ambiguous/.test(message)) {
        return new UsageError(`${prefix} ${name} needs a value${spec?.valueName ? ` (${spec.valueName})` : ""}`);
      }
      return new UsageError(`${prefix} ${name} takes no value`);
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`${prefix} unexpected argument '${quoted}'; this command takes ${command.positionals?.usage ?? "no arguments"}`);
    default:
      return new UsageError(`${prefix} ${message}`);
  }
}

function convert(name: string, spec: OptionSpec, raw: string | boolean, command: string): string | boolean | number {
  if (typeof raw === "boolean") return raw;
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new UsageError(`softmax ${command}: --${name} must be one of ${spec.choices.join(", ")}; got '${raw}'`);
  }
  if (spec.type === "number" || spec.type === "integer") {
    const value = raw.trim() === "" ? Number.NaN : Number(raw);
    const ok = spec.type === "integer" ? Number.isSafeInteger(value) : Number.isFinite(value);
    if (!ok) throw new UsageError(`softmax ${command}: --${name} must be ${spec.type === "integer" ? "an integer" : "a number"}; got '${raw}'`);
    return value;
  }
  return raw;
}

/**
 * Parses `argv` (the words after the command name) against the command's options. Returns
 * `help: true` for `-h`/`--help`. Throws a UsageError for unknown flags, missing values, values of the
 * wrong type or not among the choices, and unexpected or missing positional arguments.
 */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(
  command: Command<O>,
  argv: readonly string[],
): { help: boolean; values: OptionValues<O>; positionals: string[] } {
  const config: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(command.options)) {
    config[name] = { type: spec.type === "boolean" ? "boolean" : "string", ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: command.positionals !== undefined });
  } catch (error) {
    throw usageErrorFrom(error, command);
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  const help = raw["help"] === true;
  const values: Record<string, string | boolean | number | undefined> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    const value = raw[name];
    values[name] = value === undefined || help ? undefined : convert(name, spec, value, command.name);
  }
  const positionals = parsed.positionals;
  const { min = 0, max = Infinity, usage = "" } = command.positionals ?? {};
  if (!help && (positionals.length < min || positionals.length > max)) {
    throw new UsageError(`softmax ${command.name}: expected ${usage}, got ${positionals.length} argument(s)`);
  }
  return { help, values: values as OptionValues<O>, positionals };
}
