// Data sets on disk: the real Fashion-MNIST (counts, classes, hashes, the decompressed cache copy),
// the location order, folders of one's own, and every way a folder can be wrong.

import assert from "node:assert/strict";
import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { FASHION_MNIST, FASHION_MNIST_LABELS, getDatasetSpec, getFashionMnistLabels, MNIST } from "../src/data/datasets.ts";
import { encodeIdxLabels } from "../src/data/idx.ts";
import { loadDataset, NOT_VERIFIED } from "../src/data/load.ts";
import { locateDataset } from "../src/data/locate.ts";
import { classCounts } from "../src/data/split.ts";
import { makeIdxSet, specFor, tempDir, writeIdxSet } from "./helpers/data-fixtures.ts";

const SYSTEM = "/usr/share/datasets";

test("getFashionMnistLabels: class indices to d2l's text labels", () => {
  assert.deepEqual(getFashionMnistLabels([0, 9, 3, 7]), ["t-shirt", "ankle boot", "dress", "sneaker"]);
  assert.deepEqual(getFashionMnistLabels(Int32Array.of(1, 2, 4, 5, 6, 8)), ["trouser", "pullover", "coat", "sandal", "shirt", "bag"]);
  assert.equal(FASHION_MNIST_LABELS.length, 10);
  assert.throws(() => getFashionMnistLabels([10]), /label 10 at index 0 is not a class index 0\.\.9/);
});

test("datasets: known specs by name; an unknown name lists the accepted ones", () => {
  assert.equal(getDatasetSpec("mnist"), MNIST);
  assert.equal(MNIST.files.trainImages.bytes, 47040016);
  assert.equal(MNIST.files.testLabels.bytes, 10008);
  assert.throws(() => getDatasetSpec("cifar"), /unknown data set "cifar"; expected one of: fashion-mnist, mnist/);
});

test("real Fashion-MNIST: 60,000/10,000 images of 28×28, 6,000/1,000 per class, hashes verify; then the cache copy", async (t) => {
  const cacheRoot = await tempDir(t);
  const cold = await loadDataset({ cacheRoot, env: {}, offline: true });
  assert.equal(cold.info.source, "system");
  assert.equal(cold.info.dir, join(SYSTEM, "fashion-mnist"));
  assert.equal(cold.info.verified, true);
  assert.match(cold.info.verification, /^verified/);
  assert.deepEqual([cold.train.n, cold.test.n], [60000, 10000]);
  assert.deepEqual([cold.train.rows, cold.train.cols, cold.train.numClasses], [28, 28, 10]);
  assert.equal(cold.train.images.length, 60000 * 784);
  assert.deepEqual(classCounts(cold.train), new Array(10).fill(6000));
  assert.deepEqual(classCounts(cold.test), new Array(10).fill(1000));
  assert.deepEqual(cold.info.classNames, [...FASHION_MNIST_LABELS]);
  assert.deepEqual(cold.info.files.map((f) => f.sha256), Object.values(FASHION_MNIST.files).map((f) => f.sha256));
  assert.ok(cold.info.files.every((f) => f.gzip), "Debian ships the files gzipped");

  // The first load kept verified decompressed copies; the next load finds the cache first.
  const cacheDir = join(cacheRoot, "fashion-mnist");
  assert.deepEqual((await readdir(cacheDir)).sort(), ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]);
  const warm = await loadDataset({ cacheRoot, env: {}, offline: true });
  assert.equal(warm.info.source, "cache");
  assert.equal(warm.info.verified, true);
  assert.ok(warm.info.files.every((f) => !f.gzip && f.readFrom.startsWith(cacheDir)));
  assert.deepEqual(warm.train.images, cold.train.images);
  assert.deepEqual(warm.test.labels, cold.test.labels);

  // The hash memo never hides a change: rewrite a cached file with one label changed (same size).
  const labelsPath = join(cacheDir, "t10k-labels-idx1-ubyte");
  const bytes = await readFile(labelsPath);
  bytes[8] = (bytes[8]! + 1) % 10;
  await writeFile(labelsPath, bytes);
  await assert.rejects(
    loadDataset({ cacheRoot, env: {}, offline: true }),
    new RegExp(`${labelsPath}: SHA-256 of the decompressed file is [0-9a-f]{64}, expected 0402a96d.*delete it and it will be re-created`),
  );
});

test("locate: --data, then SOFTMAX_DATA_DIR, then the cache, then the system folder, else offline error", async (t) => {
  const root = await tempDir(t);
  const set = makeIdxSet();
  const spec = specFor(set);
  const dirs = { option: join(root, "option"), env: join(root, "env"), cacheRoot: join(root, "cache"), system: join(root, "system") };
  await writeIdxSet(dirs.option, set);
  await writeIdxSet(dirs.env, set, { gzip: true });
  await writeIdxSet(join(dirs.cacheRoot, spec.name), set);
  await writeIdxSet(join(dirs.system, spec.name), set, { gzip: true });
  const base = { dataset: spec, cacheRoot: dirs.cacheRoot, systemDir: dirs.system, offline: true };
  const env = { SOFTMAX_DATA_DIR: dirs.env };

  const option = await locateDataset({ ...base, env, data: dirs.option });
  assert.deepEqual([option.source, option.dir], ["option", dirs.option]);
  const fromEnv = await locateDataset({ ...base, env });
  assert.deepEqual([fromEnv.source, fromEnv.dir], ["env", dirs.env]);
  assert.equal(fromEnv.files.trainImages, join(dirs.env, "train-images-idx3-ubyte.gz"));
  const cache = await locateDataset({ ...base, env: {} });
  assert.deepEqual([cache.source, cache.dir], ["cache", join(dirs.cacheRoot, spec.name)]);
  await rm(join(dirs.cacheRoot, spec.name, "t10k-labels-idx1-ubyte")); // an incomplete cache is skipped
  const system = await locateDataset({ ...base, env: {} });
  assert.deepEqual([system.source, system.dir], ["system", join(dirs.system, spec.name)]);
  await rm(join(dirs.system, spec.name), { recursive: true });
  await assert.rejects(
    locateDataset({ ...base, env: {} }),
    new RegExp(`Tiny tiny not found: looked in ${dirs.cacheRoot}/tiny \\(missing t10k-labels-idx1-ubyte\\[\\.gz\\]\\) and ${dirs.system}/tiny \\(none of the files\\); offline, so not downloading`),
  );
  // The cache folder defaults to $XDG_CACHE_HOME/softmax-regression.
  const xdg = await locateDataset({ dataset: spec, offline: true, systemDir: dirs.system, env: { XDG_CACHE_HOME: root, SOFTMAX_DATA_DIR: "" } }).catch((e: Error) => e.message);
  assert.match(String(xdg), new RegExp(`looked in ${root}/softmax-regression/tiny`));
});

test("folders: --data DIR may hold the files in a <dataset>/ subfolder; a missing file is named", async (t) => {
  const root = await tempDir(t);
  const set = makeIdxSet();
  const spec = specFor(set);
  await writeIdxSet(join(root, "tiny"), set);
  const nested = await locateDataset({ dataset: spec, data: root, env: {}, cacheRoot: join(root, "cache"), offline: true });
  assert.equal(nested.dir, join(root, "tiny"));
  await rm(join(root, "tiny", "train-labels-idx1-ubyte"));
  await assert.rejects(
    loadDataset({ dataset: spec, data: root, env: {}, cacheRoot: join(root, "cache") }),
    new RegExp(`--data ${root}: ${root}/tiny is missing train-labels-idx1-ubyte\\[\\.gz\\]; expected the four IDX files`),
  );
  await assert.rejects(loadDataset({ data: join(root, "nowhere"), env: {}, cacheRoot: join(root, "cache") }), /--data .*nowhere: no such folder/);
});

test("folders: an IDX set of one's own (any size, any class count) loads as not verified", async (t) => {
  const root = await tempDir(t);
  await writeIdxSet(join(root, "own"), makeIdxSet({ rows: 6, cols: 4, numClasses: 5, nTrain: 20, nTest: 7 }), { gzip: true });
  const { train, test: testSplit, info } = await loadDataset({ data: join(root, "own"), env: {}, cacheRoot: join(root, "cache") });
  assert.equal(info.verification, NOT_VERIFIED);
  assert.equal(info.verified, false);
  assert.equal(info.name, "unknown");
  assert.deepEqual([train.n, testSplit.n, train.rows, train.cols, train.numClasses], [20, 7, 6, 4, 5]);
  assert.deepEqual(info.classNames, ["0", "1", "2", "3", "4"]);
  assert.deepEqual(classCounts(train), [4, 4, 4, 4, 4]);
  assert.equal((await readdir(root)).includes("cache") && (await readdir(join(root, "cache"))).includes("fashion-mnist"), false, "unverified data is not copied into the cache");
});

test("folders: a verified gzip folder is read from its cached decompressed copy the second time", async (t) => {
  const root = await tempDir(t);
  const set = makeIdxSet();
  const spec = specFor(set);
  await writeIdxSet(join(root, "gz"), set, { gzip: true });
  const options = { dataset: spec, data: join(root, "gz"), env: {}, cacheRoot: join(root, "cache") };
  const first = await loadDataset(options);
  assert.equal(first.info.verified, true);
  assert.ok(first.info.files.every((f) => f.readFrom === f.path && f.gzip));
  assert.match(first.info.notes.join("\n"), /kept a verified decompressed copy/);
  const second = await loadDataset(options);
  assert.ok(second.info.files.every((f) => f.readFrom === join(root, "cache", "tiny", f.path.slice(f.path.lastIndexOf("/") + 1, -3)) && !f.gzip));
  assert.deepEqual(second.train.images, first.train.images);
  // Replacing the .gz with other data must not serve the stale copy.
  const other = makeIdxSet({ seed: 2 });
  await writeFile(join(root, "gz", "train-images-idx3-ubyte.gz"), gzipSync(other.trainImages));
  await assert.rejects(loadDataset(options), /train-images-idx3-ubyte\.gz: SHA-256 of the decompressed file is .*the file is corrupt or from another data set/);
});

test("folders: one corrupt file among verified ones, count mismatch, label out of range, empty file", async (t) => {
  const root = await tempDir(t);
  const set = makeIdxSet();
  const spec = specFor(set);
  const cacheRoot = join(root, "cache");

  const corrupt = join(root, "corrupt");
  await writeIdxSet(corrupt, { ...set, testImages: makeIdxSet({ seed: 9 }).testImages });
  await assert.rejects(
    loadDataset({ dataset: spec, data: corrupt, env: {}, cacheRoot }),
    new RegExp(`${corrupt}/t10k-images-idx3-ubyte: SHA-256 of the decompressed file is [0-9a-f]{64}, expected ${spec.files.testImages.sha256}`),
  );

  const mismatch = join(root, "mismatch");
  await writeIdxSet(mismatch, { ...set, trainLabels: encodeIdxLabels(new Uint8Array(11)) });
  await assert.rejects(
    loadDataset({ data: mismatch, env: {}, cacheRoot }),
    new RegExp(`${mismatch}/train-images-idx3-ubyte has 12 images but ${mismatch}/train-labels-idx1-ubyte has 11 labels`),
  );

  const outOfRange = { ...set, testLabels: encodeIdxLabels(Uint8Array.of(0, 1, 2, 7, 1)) };
  const rangeDir = join(root, "range");
  await writeIdxSet(rangeDir, outOfRange);
  await assert.rejects(
    loadDataset({ dataset: specFor(outOfRange, { numClasses: 3 }), data: rangeDir, env: {}, cacheRoot }),
    new RegExp(`${rangeDir}/t10k-labels-idx1-ubyte: label 7 at index 3 is out of range; expected class indices 0\\.\\.2 \\(3 classes\\)`),
  );

  const empty = join(root, "empty");
  await writeIdxSet(empty, { ...set, trainLabels: new Uint8Array(0) });
  await assert.rejects(loadDataset({ data: empty, env: {}, cacheRoot }), new RegExp(`${empty}/train-labels-idx1-ubyte: the file is empty`));
});
