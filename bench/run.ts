// The training-speed benchmark, side by side with the peers: every row (this project's paths and kernels,
// TensorFlow.js on its wasm backend) runs in its own child process on the same data, one after the other;
// then the chapter's example end to end. Prints the table and writes docs/benchmarks.md.
// Run: `npm run bench [-- --quick] [--epochs N] [--only id,id] [--rounds N] [--data DIR] [--skip-example] [--no-write]`.
// Rounds: every row runs once per round, the rounds in alternate order; a row keeps its round with the lowest
// median. A shared VM's speed drifts by half over minutes, and drift only ever adds time: two rounds in
// opposite orders give every row one chance away from the same slow spell.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { locateDataset } from "../src/data/locate.ts";
import { describeMachine } from "./machine.ts";
import { median, RESULT_PREFIX, type RowResult } from "./result.ts";
import { PROJECT_ROWS } from "./rows.ts";
import { renderTable } from "./table.ts";

const ROW_IDS = [...Object.keys(PROJECT_ROWS), "tfjs-ops", "tfjs-fit"];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    epochs: { type: "string" },
    only: { type: "string" },
    rounds: { type: "string" },
    data: { type: "string" },
    "skip-example": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
});
// --quick checks that every row runs: 2 epochs, no example, nothing written unless --epochs says otherwise.
const epochs = Number(values.epochs ?? (values.quick ? 2 : 10));
if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`--epochs must be a positive integer, got ${values.epochs}`);
const rounds = Number(values.rounds ?? (values.quick ? 1 : 2));
if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${values.rounds}`);
const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean) ?? ROW_IDS;
for (const id of only) if (!ROW_IDS.includes(id)) throw new RangeError(`--only: unknown row ${id}; rows are ${ROW_IDS.join(", ")}`);

const located = await locateDataset({ offline: true, ...(values.data ? { data: values.data } : {}) });
const rowScript = fileURLToPath(new URL("./row.ts", import.meta.url));
const best = new Map<string, RowResult>();
const failures: Record<string, string> = {};
const selected = ROW_IDS.filter((id) => only.includes(id));
for (let round = 1; round <= rounds; round++) {
  for (const id of round % 2 === 1 ? selected : [...selected].reverse()) {
    if (failures[id] !== undefined) continue;
    process.stderr.write(`bench: ${id} (${epochs} epochs${rounds > 1 ? `, round ${round} of ${rounds}` : ""})… `);
    const args = ["--expose-gc", "--import", "tsx", rowScript, "--row", id, "--epochs", String(epochs), ...(values.data ? ["--data", values.data] : [])];
    const run = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 << 20 });
    const line = run.stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
    if (run.status !== 0 || line === undefined) {
      failures[id] = (run.stderr.trim().split("\n").filter((l) => !/^\s+at /.test(l)).slice(-3).join(" ") || `exit code ${run.status}`);
      process.stderr.write(`failed: ${failures[id]}\n`);
      best.delete(id);
      continue;
    }
    const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as RowResult;
    const kept = best.get(id);
    if (kept === undefined || median(result.epochMs) < median(kept.epochMs)) best.set(id, { ...result, round });
    process.stderr.write(`${result.epochMs.map((ms) => ms.toFixed(0)).join(" ")} ms\n`);
  }
}
const rows = selected.flatMap((id) => best.get(id) ?? []);

let example: { seconds: number; ok: boolean } | undefined;
if (!values["skip-example"] && !values.quick) {
  process.stderr.write("bench: examples/from-scratch.ts end to end… ");
  const script = fileURLToPath(new URL("../examples/from-scratch.ts", import.meta.url));
  const start = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
  example = { seconds: (performance.now() - start) / 1000, ok: run.status === 0 };
  process.stderr.write(`${example.seconds.toFixed(1)} s\n`);
  if (!example.ok) process.stderr.write(`examples/from-scratch.ts exited with ${run.status}:\n${run.stdout}${run.stderr}\n`);
}

// Loading the data set (the data layer's own benchmark, in its own process so its cache is private).
let loading: string | undefined;
if (!values.quick) {
  process.stderr.write("bench: loading the data set (cold and warm)… ");
  const script = fileURLToPath(new URL("./load.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", script, ...(values.data ? ["--data", values.data] : [])], { encoding: "utf8" });
  loading = run.status === 0 ? run.stdout.trim() : `failed (exit code ${run.status}): ${run.stderr.trim().split("\n").at(-1)}`;
  process.stderr.write(run.status === 0 ? "done\n" : "failed\n");
  if (run.status !== 0) failures["load"] = loading;
}

const markdown = renderTable({
  machine: describeMachine(),
  rows,
  failures,
  epochs,
  rounds,
  dataSource: `${located.dir} (${located.source})`,
  date: new Date().toISOString().slice(0, 10),
  ...(example ? { example } : {}),
});
const loadingSection = loading === undefined ? "" : `\n## Loading the data\n\n\`bench/load.ts\`: the cold load reads the gzip folder, decompresses, hashes and writes the verified\ncopy into a fresh cache; the warm load reads that copy and trusts its hash memo (size, mtime, inode).\n\n\`\`\`\n${loading}\n\`\`\`\n`;
const document = markdown + loadingSection;
process.stdout.write(document);
if (!values.quick && !values["no-write"]) {
  const docs = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
  writeFileSync(docs, document);
  process.stderr.write(`bench: wrote ${docs}\n`);
}
if (Object.keys(failures).length > 0 || (example && !example.ok)) process.exitCode = 1;
