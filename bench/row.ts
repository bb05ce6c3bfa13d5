// One benchmark row in its own process (so its peak RSS is its own): loads the data set, runs the row,
// prints `BENCH_RESULT {json}`. Run by bench/run.ts: `node --expose-gc --import tsx bench/row.ts --row ID --epochs N`.

import { parseArgs } from "node:util";
import { loadDataset } from "../src/data/load.ts";
import { peakRssMiB, RESULT_PREFIX, type RowResult } from "./result.ts";
import { PROJECT_ROWS, type RowRunner } from "./rows.ts";

const { values } = parseArgs({ options: { row: { type: "string" }, epochs: { type: "string", default: "10" }, data: { type: "string" } } });
const id = values.row ?? "";
const epochs = Number(values.epochs);
// The peers are imported only by their own rows, so this project's rows never load TensorFlow.js.
const runner: RowRunner | undefined = PROJECT_ROWS[id] ?? (id.startsWith("tfjs-") ? (await import("./tfjs.ts")).TFJS_ROWS[id] : undefined);
if (runner === undefined) throw new RangeError(`bench/row.ts: unknown row ${JSON.stringify(id)}`);
const { train, test } = await loadDataset({ offline: true, ...(values.data ? { data: values.data } : {}) });
const outcome = await runner({ train, test, epochs });
const result: RowResult = { id, ...outcome, peakRssMiB: peakRssMiB() };
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
