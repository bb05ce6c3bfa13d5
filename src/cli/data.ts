// `softmax data`: locate (or download) a data set and report where it is, its counts, image size,
// classes with per-class counts, and whether its hashes verified.

import { loadDataset } from "../data/load.ts";
import type { DatasetInfo } from "../data/load.ts";
import { SOURCE_DESCRIPTIONS } from "../data/locate.ts";
import { classCounts } from "../data/split.ts";
import { defineCommand } from "./command.ts";
import { dataOptions, loadOptionsFrom } from "./data-options.ts";
import { count } from "../io/count.ts";


/** The human-readable report of `softmax data`. */
export function formatDataReport(info: DatasetInfo, trainCounts: readonly number[], testCounts: readonly number[]): string {
  const lines: string[] = [];
  lines.push(info.known ? `${info.title} (${info.name})` : info.title);
  const field = (name: string, value: string): void => {
    lines.push(`  ${name.padEnd(10)}${value}`);
  };
  field("location", `${info.dir}  (${SOURCE_DESCRIPTIONS[info.source]})`);
  info.files.forEach((file, i) => {
    const cached = file.readFrom !== file.path ? `, read from the verified copy ${file.readFrom}` : "";
    field(i === 0 ? "files" : "", `${file.path}  ${count(file.bytes)} bytes decompressed${cached}`);
  });
  field("train", `${count(info.trainCount)} images`);
  field("test", `${count(info.testCount)} images`);
  field("image", `${info.rows} × ${info.cols} = ${count(info.rows * info.cols)} pixels`);
  field("classes", String(info.numClasses));
  field("hashes", info.verification);
  lines.push("");
  const names = info.classNames.map((name, k) => `${k} ${name}`);
  const width = Math.max(5, ...names.map((n) => n.length));
  const train = trainCounts.map(count);
  const test = testCounts.map(count);
  const trainWidth = Math.max(5, count(info.trainCount).length);
  const testWidth = Math.max(4, count(info.testCount).length);
  const row = (a: string, b: string, c: string): void => {
    lines.push(`  ${a.padEnd(width)}  ${b.padStart(trainWidth)}  ${c.padStart(testWidth)}`);
  };
  row("class", "train", "test");
  names.forEach((name, k) => row(name, train[k] ?? "0", test[k] ?? "0"));
  row("total", count(info.trainCount), count(info.testCount));
  for (const note of info.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}

export const dataCommand = defineCommand({
  name: "data",
  summary: "Locate (or download) a data set and report what is in it",
  description:
    "Looks for the data, first found wins: --data DIR, then SOFTMAX_DATA_DIR, then the user cache\n" +
    "($XDG_CACHE_HOME or ~/.cache)/softmax-regression/<dataset>, then /usr/share/datasets/<dataset>;\n" +
    "otherwise downloads it into the cache (unless --offline), verifying the SHA-256 of every file.",
  options: {
    ...dataOptions,
    json: { type: "boolean", description: "Print the report as one line of JSON" },
  },
  examples: [
    { command: "softmax data", description: "Find Fashion-MNIST (downloading it if needed) and report it" },
    { command: "softmax data --dataset mnist --offline", description: "Report MNIST, only if it is already on disk" },
    { command: "softmax data --data ./my-idx", description: "Check a folder of IDX files of one's own (any image size and class count)" },
  ],
  async run(values, _positionals, io) {
    const { train, test, info } = await loadDataset(loadOptionsFrom(values, io));
    const trainCounts = classCounts(train);
    const testCounts = classCounts(test);
    if (values.json) io.stdout.write(`${JSON.stringify({ ...info, classCounts: { train: trainCounts, test: testCounts } })}\n`);
    else io.stdout.write(formatDataReport(info, trainCounts, testCounts));
    return 0;
  },
});
