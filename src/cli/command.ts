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
  /** Smallest accepted value of a number or integer option (inclusive). */
  min?: number;
  /** A number option's values must be greater than this (exclusive). */
  greaterThan?: number;
  /** Largest accepted value of a number or integer option (inclusive). */
  max?: number;
  /** The flag may be given several times (and a number option takes comma lists): the value is a list. */
  multiple?: boolean;
}

type ScalarValue<S extends OptionSpec> = S["type"] extends "boolean" ? boolean : S["type"] extends "string" ? string : number;
type OptionValue<S extends OptionSpec> = S["multiple"] extends true ? ScalarValue<S>[] : ScalarValue<S>;

/** Parsed option values, typed from the command's option specs (undefined when not given). */
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]: OptionValue<O[K]> | undefined };

/** A stream a command writes to; a terminal also tells its size and colour depth. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  /** Node's tty.WriteStream: 1, 4, 8 or 24 bits of colour. */
  getColorDepth?(env?: Record<string, string | undefined>): number;
}

/** Where a command writes; tests and embedders can pass their own. */
export interface CommandIo {
  stdout: OutputStream;
  stderr: OutputStream;
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

/** How a flag is written in messages: `-n` for a one-letter name, `--epochs` otherwise. */
function shown(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** "an integer", "a number greater than 0", "an integer from 0 to 9", … as the spec allows. */
function numberWanted(spec: OptionSpec): string {
  const kind = spec.type === "integer" ? "an integer" : "a number";
  if (spec.greaterThan !== undefined) return `${kind} greater than ${spec.greaterThan}`;
  if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${kind} of at least ${spec.min}`;
  if (spec.max !== undefined) return `${kind} of at most ${spec.max}`;
  return kind;
}

function convert(name: string, spec: OptionSpec, raw: string | boolean, command: string): string | boolean | number {
  if (typeof raw === "boolean") return raw;
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new UsageError(`softmax ${command}: ${shown(name)} must be one of ${spec.choices.join(", ")}; got '${raw}'`);
  }
  if (spec.type === "number" || spec.type === "integer") {
    const value = raw.trim() === "" ? Number.NaN : Number(raw);
    const ok =
      (spec.type === "integer" ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
      (spec.greaterThan === undefined || value > spec.greaterThan) &&
      (spec.min === undefined || value >= spec.min) &&
      (spec.max === undefined || value <= spec.max);
    if (!ok) throw new UsageError(`softmax ${command}: ${shown(name)} must be ${numberWanted(spec)}; got '${raw}'`);
    return value;
  }
  return raw;
}

/** The values of one option: a list for `multiple` (number lists may also be comma-separated). */
function convertAll(name: string, spec: OptionSpec, raw: string | boolean | (string | boolean)[], command: string): unknown {
  if (!spec.multiple) return convert(name, spec, Array.isArray(raw) ? (raw.at(-1) as string | boolean) : raw, command);
  const words = (Array.isArray(raw) ? raw : [raw]).flatMap((w) => (typeof w === "string" && spec.type !== "string" ? w.split(",") : [w]));
  return words.map((w) => convert(name, spec, w, command));
}

/**
 * parseArgs reads `--lr -1` as a missing value (the "-1" looks like a flag); join a negative number
 * to its numeric option as `--lr=-1` so the range check can say what is wrong with it.
 */
function joinNegativeNumbers(argv: readonly string[], options: Record<string, OptionSpec>): string[] {
  const numeric = new Map<string, string>(); // "--lr" or "-n" → the long name
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type === "number" || spec.type === "integer") {
      numeric.set(`--${name}`, name);
      if (spec.short) numeric.set(`-${spec.short}`, name);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const name = numeric.get(word);
    const next = argv[i + 1];
    if (name !== undefined && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
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
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(command.options)) {
    config[name] = {
      type: spec.type === "boolean" ? "boolean" : "string",
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    const args = joinNegativeNumbers(argv, command.options);
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: command.positionals !== undefined });
  } catch (error) {
    throw usageErrorFrom(error, command);
  }
  const raw = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  const help = raw["help"] === true;
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    const value = raw[name];
    values[name] = value === undefined || help ? undefined : convertAll(name, spec, value, command.name);
  }
  const positionals = parsed.positionals;
  const { min = 0, max = Infinity, usage = "" } = command.positionals ?? {};
  if (!help && (positionals.length < min || positionals.length > max)) {
    throw new UsageError(`softmax ${command.name}: expected ${usage}, got ${positionals.length} argument(s)`);
  }
  return { help, values: values as OptionValues<O>, positionals };
}
