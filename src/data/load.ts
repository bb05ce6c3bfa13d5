// Loads a data set into memory, Node entry point of the data layer (d2l: `load_data_fashion_mnist`):
// locate → read (raw or gzip) → validate → verify SHA-256 → splits → batch iterators. Keeps a
// verified decompressed copy in the user cache so later loads skip the ~0.8 s gunzip. Node only.

import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DATASET_NAMES, FILE_ROLES, getDatasetSpec } from "./datasets.ts";
import type { DatasetSpec, FileRole } from "./datasets.ts";
import { removeStalePartials, statOrUndefined, userCacheRoot, writeFileAtomic } from "./files.ts";
import { HashMemo } from "./hash-memo.ts";
import { DataIter } from "./iterator.ts";
import { locateDataset } from "./locate.ts";
import type { DataSource, LocatedDataset, LocateOptions } from "./locate.ts";
import { readIdxFile } from "./read.ts";
import type { IdxFile } from "./read.ts";
import { buildSplits } from "./split.ts";
import type { DataSplit } from "./split.ts";

/** The verdict for data the package cannot check: files that match no known data set. */
export const NOT_VERIFIED = "not verified (unknown data set)";

/** One file of a loaded data set. */
export interface DatasetFileInfo {
  role: FileRole;
  /** The file found in the data set's folder. */
  path: string;
  /** The file actually read: `path`, or the verified decompressed copy of it in the cache. */
  readFrom: string;
  /** Whether `readFrom` is gzip-compressed. */
  gzip: boolean;
  /** Decompressed size in bytes. */
  bytes: number;
  /** SHA-256 of the decompressed bytes. */
  sha256: string;
  verified: boolean;
}

/** What was loaded, from where, and whether it verified; everything `softmax data` reports. */
export interface DatasetInfo {
  /** The known data set's name, or "unknown". */
  name: string;
  title: string;
  known: boolean;
  dir: string;
  source: DataSource;
  verified: boolean;
  /** One line: how the files were verified, or `NOT_VERIFIED`. */
  verification: string;
  files: DatasetFileInfo[];
  rows: number;
  cols: number;
  numClasses: number;
  classNames: string[];
  trainCount: number;
  testCount: number;
  /** Where verified decompressed copies and downloads go. */
  cacheDir: string;
  /** Things worth telling the user that did not stop the load. */
  notes: string[];
}

export type LoadDatasetOptions = LocateOptions;

export interface LoadedDataset {
  train: DataSplit;
  test: DataSplit;
  info: DatasetInfo;
}

function kindOf(role: FileRole): "images" | "labels" {
  return role === "trainImages" || role === "testImages" ? "images" : "labels";
}

/** Reads one file, preferring the cache's verified decompressed copy of a verified gzip file. */
async function readRole(located: LocatedDataset, role: FileRole, memo: HashMemo): Promise<IdxFile> {
  const path = located.files[role];
  const expected = located.spec.files[role];
  const copy = join(located.cacheDir, expected.name);
  if (copy !== path) {
    const st = await statOrUndefined(path);
    const hit = st && memo.get(path, st);
    if (hit?.gzip && hit.sha256 === expected.sha256) {
      const copyStat = await statOrUndefined(copy);
      if (copyStat && memo.get(copy, copyStat)?.sha256 === expected.sha256) return readIdxFile(copy, kindOf(role), memo);
    }
  }
  return readIdxFile(path, kindOf(role), memo);
}

function mismatch(located: LocatedDataset, role: FileRole, file: IdxFile, spec: DatasetSpec): Error {
  const fixes: Partial<Record<DataSource, string>> = {
    cache: "delete it and it will be re-created",
    system: "reinstall the system package that provides it",
  };
  const fix = fixes[located.source] ?? "replace it, or delete it so it is fetched again";
  return new Error(
    `${file.path}: SHA-256 of the decompressed file is ${file.sha256}, expected ${spec.files[role].sha256} ` +
      `(${spec.title} ${spec.files[role].name}); the file is corrupt or from another data set: ${fix}`,
  );
}

/**
 * Decides whether the files are the requested data set. The cache, the system folder and downloads
 * must match its hashes exactly. A folder named by --data or SOFTMAX_DATA_DIR may instead hold a data
 * set of one's own (no file matches: not verified); a partial match means a corrupt file.
 */
function verify(located: LocatedDataset, read: Record<FileRole, IdxFile>): boolean {
  const { spec } = located;
  const matches = FILE_ROLES.map((role) => read[role].sha256 === spec.files[role].sha256);
  if (matches.every(Boolean)) return true;
  const firstBad = FILE_ROLES.find((_, i) => !matches[i]) as FileRole;
  const explicit = located.source === "option" || located.source === "env";
  if (!explicit || matches.some(Boolean)) throw mismatch(located, firstBad, read[firstBad], spec);
  for (const other of DATASET_NAMES.map(getDatasetSpec)) {
    if (other.name !== spec.name && FILE_ROLES.every((role) => read[role].sha256 === other.files[role].sha256)) {
      throw new Error(`${located.dir} holds ${other.title}, not ${spec.title}; pass --dataset ${other.name}`);
    }
  }
  return false;
}

/** Writes decompressed copies of verified gzip files into the cache; returns a note saying what happened. */
async function keepDecompressedCopies(located: LocatedDataset, read: Record<FileRole, IdxFile>, memo: HashMemo): Promise<string | undefined> {
  const gzipped = FILE_ROLES.filter((role) => read[role].gzip);
  if (gzipped.length === 0) return undefined;
  try {
    await mkdir(located.cacheDir, { recursive: true });
    await removeStalePartials(located.cacheDir);
    for (const role of gzipped) {
      const file = read[role];
      const copy = join(located.cacheDir, located.spec.files[role].name);
      await writeFileAtomic(copy, file.head, file.data);
      memo.set(copy, await stat(copy), { sha256: file.sha256, gzip: false });
    }
    return `kept a verified decompressed copy in ${located.cacheDir}, so later loads skip decompressing`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `could not keep a decompressed copy in ${located.cacheDir} (${reason}); every load will decompress the .gz files`;
  }
}

/**
 * Locates, reads, validates and verifies a data set and returns its train and test splits
 * (uint8 pixels `[n, rows, cols]`, labels `[n]`) with a report. Throws one clear error naming the
 * file on anything wrong: missing, empty, corrupt gzip, wrong magic, truncated, extra bytes,
 * image/label count mismatch, label out of range, hash mismatch.
 */
export async function loadDataset(options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const cacheRoot = options.cacheRoot ?? userCacheRoot(options.env ?? process.env);
  const memo = await HashMemo.open(join(cacheRoot, "verified-hashes.json"));
  const located = await locateDataset({ ...options, cacheRoot, memo });
  const read = {} as Record<FileRole, IdxFile>;
  for (const role of FILE_ROLES) read[role] = await readRole(located, role, memo);

  const known = verify(located, read);
  const { spec } = located;
  const { train, test } = buildSplits(
    {
      trainImages: { n: read.trainImages.header.n, rows: read.trainImages.header.rows, cols: read.trainImages.header.cols, pixels: read.trainImages.data },
      testImages: { n: read.testImages.header.n, rows: read.testImages.header.rows, cols: read.testImages.header.cols, pixels: read.testImages.data },
      trainLabels: { n: read.trainLabels.header.n, labels: read.trainLabels.data },
      testLabels: { n: read.testLabels.header.n, labels: read.testLabels.data },
      sources: { trainImages: read.trainImages.path, trainLabels: read.trainLabels.path, testImages: read.testImages.path, testLabels: read.testLabels.path },
    },
    known ? { numClasses: spec.numClasses } : {},
  );

  const notes: string[] = [];
  if (known) {
    const note = await keepDecompressedCopies(located, read, memo);
    if (note) notes.push(note);
  } else {
    notes.push(`the files in ${located.dir} match no known data set, so their contents could not be checked against published hashes`);
  }
  try {
    await memo.save();
  } catch (error) {
    notes.push(`could not save ${memo.file} (${error instanceof Error ? error.message : String(error)}); files will be hashed again next time`);
  }

  const info: DatasetInfo = {
    name: known ? spec.name : "unknown",
    title: known ? spec.title : "unknown IDX data set",
    known,
    dir: located.dir,
    source: located.source,
    verified: known,
    verification: known ? `verified (SHA-256 of the four decompressed files match ${spec.title})` : NOT_VERIFIED,
    files: FILE_ROLES.map((role) => ({
      role,
      path: located.files[role],
      readFrom: read[role].path,
      gzip: read[role].gzip,
      bytes: read[role].head.length + read[role].data.length,
      sha256: read[role].sha256,
      verified: known,
    })),
    rows: train.rows,
    cols: train.cols,
    numClasses: train.numClasses,
    classNames: known ? [...spec.classNames] : Array.from({ length: train.numClasses }, (_, k) => String(k)),
    trainCount: train.n,
    testCount: test.n,
    cacheDir: located.cacheDir,
    notes,
  };
  return { train, test, info };
}

/** Options of `loadDataFashionMnist`: where the data is, plus how the training batches are shuffled. */
export interface LoadDataOptions extends LoadDatasetOptions {
  /** Seed of the training iterator's shuffling; default 0. */
  seed?: number;
  /** Shuffle the training batches each epoch; default true (test batches are always in order). */
  shuffle?: boolean;
}

/**
 * Loads Fashion-MNIST (or `dataset`) and returns minibatch iterators over its two splits:
 * `for (const [X, y] of trainIter)` gives `X` float32 `[B, rows*cols]` in [0, 1] and `y` Int32Array
 * `[B]`. Training batches are reshuffled every epoch by a generator seeded with `seed`; test
 * batches come in file order. d2l: `load_data_fashion_mnist(batch_size)`.
 * NOTE: no `resize` option (d2l's is for the later CNN chapters).
 */
export async function loadDataFashionMnist(
  batchSize: number,
  options: LoadDataOptions = {},
): Promise<{ trainIter: DataIter; testIter: DataIter; info: DatasetInfo }> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`loadDataFashionMnist: batchSize must be a positive integer, got ${batchSize}`);
  }
  const { train, test, info } = await loadDataset(options);
  return {
    trainIter: new DataIter(train, { batchSize, shuffle: options.shuffle ?? true, seed: options.seed ?? 0 }),
    testIter: new DataIter(test, { batchSize, shuffle: false }),
    info,
  };
}
