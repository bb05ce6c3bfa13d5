// Help texts of the `softmax` CLI: the command list and each command's usage, options and examples,
// generated from the same Command definitions the parser uses, so they cannot drift apart.

import type { Command, OptionSpec } from "./command.ts";

function table(rows: readonly [string, string][], indent = "  "): string {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd()).join("\n");
}

function optionLabel(name: string, spec: OptionSpec): string {
  const value = spec.type === "boolean" ? "" : ` ${spec.valueName ?? (spec.type === "string" ? "VALUE" : "N")}`;
  return `${spec.short ? `-${spec.short}, ` : "    "}--${name}${value}`;
}

function optionText(spec: OptionSpec): string {
  const extras: string[] = [];
  if (spec.choices) extras.push(`one of: ${spec.choices.join(", ")}`);
  if (spec.defaultText !== undefined) extras.push(`default: ${spec.defaultText}`);
  return extras.length > 0 ? `${spec.description} (${extras.join("; ")})` : spec.description;
}

function examples(list: readonly { command: string; description: string }[]): string {
  return list.map(({ command, description }) => `  ${command}\n      ${description}`).join("\n");
}

/** `softmax <command> --help`. */
export function commandHelp(command: Command): string {
  const usage = `softmax ${command.name} [options]${command.positionals ? ` ${command.positionals.usage}` : ""}`;
  const options: [string, string][] = Object.entries(command.options).map(([name, spec]) => [optionLabel(name, spec), optionText(spec)]);
  options.push(["-h, --help", "Show this help"]);
  const parts = [`softmax ${command.name} — ${command.summary}`, `Usage: ${usage}`];
  if (command.description) parts.push(command.description);
  parts.push(`Options:\n${table(options)}`);
  if (command.examples.length > 0) parts.push(`Examples:\n${examples(command.examples)}`);
  return `${parts.join("\n\n")}\n`;
}

/** `softmax --help`: what the tool is, the commands, global options, examples. */
export function globalHelp(commands: readonly Command[]): string {
  const list: [string, string][] = commands.map((c) => [c.name, c.summary]);
  list.push(["help", "Show help for a command: softmax help <command>"]);
  const first = commands.flatMap((c) => c.examples.slice(0, 1));
  return [
    "softmax — softmax regression from scratch (d2l, chapter \"softmax regression from scratch\"), on Fashion-MNIST",
    "Usage: softmax <command> [options]",
    `Commands:\n${table(list)}`,
    `Options:\n${table([["-h, --help", "Show this help"], ["-v, --version", "Print the version"]])}`,
    `Examples:\n${examples([...first, { command: "softmax help data", description: "Show the options of the data command" }])}`,
    "Run 'softmax <command> --help' for a command's options and examples.",
  ].join("\n\n") + "\n";
}
