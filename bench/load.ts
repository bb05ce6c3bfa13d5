// Loading-speed benchmark of the data layer: cold load (gzip folder → decompress, hash, write the
// cache copy), warm load (verified copy + hash memo), warm without the memo (re-hash), and one epoch
// of training batches. Run: `node --expose-gc --import tsx bench/load.ts [--data DIR] [--repeat N]`.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadDataset } from "../src/data/load.ts";
import type { LoadDatasetOptions } from "../src/data/load.ts";
import { DataIter } from "../src/data/iterator.ts";

export interface LoadFigures {
  /** Milliseconds per run, in run order. */
  coldMs: number[];
  warmMs: number[];
  warmRehashMs: number[];
  epochMs: number[];
  source: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  // Collect the previous run's garbage first (with --expose-gc), so it is not billed to this one.
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  const value = await f();
  return [value, performance.now() - start];
}

/** Times the loads `repeat` times each, every run with a fresh private cache for the cold case. */
export async function benchLoad(options: { data?: string; repeat?: number } = {}): Promise<LoadFigures> {
  const repeat = options.repeat ?? 3;
  const figures: LoadFigures = { coldMs: [], warmMs: [], warmRehashMs: [], epochMs: [], source: "" };
  for (let r = 0; r < repeat; r++) {
    const cacheRoot = await mkdtemp(join(tmpdir(), "softmax-bench-load-"));
    try {
      const base: LoadDatasetOptions = { cacheRoot, env: {}, offline: true, ...(options.data ? { data: options.data } : {}) };
      const [cold, coldMs] = await timed(() => loadDataset(base));
      figures.source = `${cold.info.dir} (${cold.info.files.every((f) => f.gzip) ? "gzip" : "raw"})`;
      figures.coldMs.push(coldMs);
      const [warm, warmMs] = await timed(() => loadDataset(base));
      figures.warmMs.push(warmMs);
      await rm(join(cacheRoot, "verified-hashes.json"));
      figures.warmRehashMs.push((await timed(() => loadDataset(base)))[1]);
      const iter = new DataIter(warm.train, { batchSize: 256, shuffle: true, seed: r });
      figures.epochMs.push((await timed(async () => {
        for (const batch of iter) void batch;
      }))[1]);
    } finally {
      await rm(cacheRoot, { recursive: true, force: true });
    }
  }
  return figures;
}

function report(f: LoadFigures): string {
  const row = (name: string, xs: number[]): string =>
    `${name.padEnd(44)}${median(xs).toFixed(0).padStart(7)} ms   (runs: ${xs.map((x) => x.toFixed(0)).join(", ")})`;
  return [
    `data: ${f.source}; median of ${f.coldMs.length} runs`,
    row("cold load (gunzip, hash, write cache copy)", f.coldMs),
    row("warm load (cached copy, hash memo)", f.warmMs),
    row("warm load without the memo (re-hash 55 MB)", f.warmRehashMs),
    row("one training epoch of batches (256, shuffled)", f.epochMs),
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { data: { type: "string" }, repeat: { type: "string" } } });
  const figures = await benchLoad({ ...(values.data ? { data: values.data } : {}), repeat: Number(values.repeat ?? 3) });
  console.log(report(figures));
}
