// Test fixtures for the data layer: small synthetic IDX data sets (any image size and class count),
// written raw or gzipped, with a DatasetSpec carrying their real hashes; temporary folders.

import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { gzipSync } from "node:zlib";
import { FILE_ROLES, IDX_FILE_NAMES } from "../../src/data/datasets.ts";
import type { DatasetSpec, FileRole } from "../../src/data/datasets.ts";
import { encodeIdxImages, encodeIdxLabels } from "../../src/data/idx.ts";
import { Rng } from "../../src/tensor/random.ts";

/** The four files of a data set as IDX bytes, by role. */
export type IdxSet = Record<FileRole, Uint8Array>;

/** A synthetic data set: pixels drawn from a seeded generator; labels cycle through the classes. */
export function makeIdxSet(options: { nTrain?: number; nTest?: number; rows?: number; cols?: number; numClasses?: number; seed?: number } = {}): IdxSet {
  const { nTrain = 12, nTest = 5, rows = 4, cols = 3, numClasses = 3, seed = 1 } = options;
  const rng = new Rng(seed);
  const images = (n: number): Uint8Array => encodeIdxImages(Uint8Array.from({ length: n * rows * cols }, () => rng.int(256)), n, rows, cols);
  const labels = (n: number, offset: number): Uint8Array => encodeIdxLabels(Uint8Array.from({ length: n }, (_, i) => (i + offset) % numClasses));
  return { trainImages: images(nTrain), trainLabels: labels(nTrain, 0), testImages: images(nTest), testLabels: labels(nTest, 1) };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A spec whose hashes are those of `set`, so loading it verifies. */
export function specFor(set: IdxSet, options: { name?: string; numClasses?: number; mirrors?: string[] } = {}): DatasetSpec {
  const { name = "tiny", numClasses = 3, mirrors = [] } = options;
  const files = Object.fromEntries(
    FILE_ROLES.map((role) => [role, { role, name: IDX_FILE_NAMES[role], bytes: set[role].length, sha256: sha256(set[role]) }]),
  ) as DatasetSpec["files"];
  return { name, title: `Tiny ${name}`, numClasses, classNames: Array.from({ length: numClasses }, (_, k) => `class ${k}`), files, mirrors };
}

/** Writes the set into `dir` under the standard names, gzipped (`.gz`) or raw. */
export async function writeIdxSet(dir: string, set: IdxSet, options: { gzip?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const role of FILE_ROLES) {
    const name = IDX_FILE_NAMES[role] + (options.gzip ? ".gz" : "");
    await writeFile(join(dir, name), options.gzip ? gzipSync(set[role]) : set[role]);
  }
}

/** A fresh temporary folder, removed when the test ends. */
export async function tempDir(t: TestContext, prefix = "softmax-data-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
