// IDX reader: round trips at any image size, and every malformed input rejected with a message that
// names the file and what was expected.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { gunzip, gunzipIfNeeded } from "../src/data/gunzip.ts";
import { HashMemo } from "../src/data/hash-memo.ts";
import { encodeIdxImages, encodeIdxLabels, isGzip, parseIdxImages, parseIdxLabels } from "../src/data/idx.ts";
import { readIdxFile } from "../src/data/read.ts";
import { buildSplits } from "../src/data/split.ts";
import { sha256, tempDir } from "./helpers/data-fixtures.ts";

const source = { source: "data/x-idx3-ubyte" };
const pixels = Uint8Array.from({ length: 2 * 5 * 3 }, (_, i) => (i * 37) % 256);
const images = encodeIdxImages(pixels, 2, 5, 3);
const labels = encodeIdxLabels(Uint8Array.of(0, 3, 1, 2));

test("idx: images round trip at a non-square size, header big-endian", () => {
  assert.deepEqual([...images.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 3]);
  const parsed = parseIdxImages(images, source);
  assert.equal(parsed.n, 2);
  assert.equal(parsed.rows, 5);
  assert.equal(parsed.cols, 3);
  assert.deepEqual(parsed.pixels, pixels);
});

test("idx: labels round trip and accept every label below numClasses", () => {
  assert.deepEqual([...labels.subarray(0, 8)], [0, 0, 8, 1, 0, 0, 0, 4]);
  const parsed = parseIdxLabels(labels, { ...source, numClasses: 4 });
  assert.equal(parsed.n, 4);
  assert.deepEqual([...parsed.labels], [0, 3, 1, 2]);
});

test("idx: a labels file where images are expected is named as such", () => {
  assert.throws(
    () => parseIdxImages(labels, source),
    /^Error: data\/x-idx3-ubyte: found an IDX labels file \(magic 2049\), expected an IDX images file \(magic 2051/,
  );
});

test("idx: wrong magic reports the magic found and the one expected", () => {
  const bad = images.slice();
  bad[2] = 0x0d; // float data instead of unsigned bytes
  assert.throws(() => parseIdxImages(bad, source), /data\/x-idx3-ubyte: found magic 3331 \(0x00000d03\), expected an IDX images file \(magic 2051/);
});

test("idx: truncated data says how many bytes are missing", () => {
  assert.throws(
    () => parseIdxImages(images.subarray(0, images.length - 10), source),
    /data\/x-idx3-ubyte: truncated: the header declares 2 images of 5×3 \(46 bytes with the header\) but the file has 36 bytes \(10 missing\)/,
  );
});

test("idx: a file shorter than its header is truncated", () => {
  assert.throws(() => parseIdxLabels(labels.subarray(0, 6), source), /truncated: 6 bytes, shorter than the 8-byte IDX labels header/);
});

test("idx: extra bytes after the data are rejected", () => {
  const longer = new Uint8Array(labels.length + 3);
  longer.set(labels);
  assert.throws(() => parseIdxLabels(longer, source), /data\/x-idx3-ubyte: 3 extra bytes after the 4 labels its header declares \(expected 12 bytes, found 15\)/);
});

test("idx: an empty file is named as empty", () => {
  assert.throws(() => parseIdxImages(new Uint8Array(0), source), /data\/x-idx3-ubyte: the file is empty \(0 bytes\); expected an IDX images file/);
});

test("idx: zero counts and zero sizes are rejected", () => {
  assert.throws(() => parseIdxLabels(encodeIdxLabels(new Uint8Array(0)), source), /declares 0 labels; expected at least one/);
  const flat = images.slice(0, 16);
  flat[11] = 0; // rows = 0 → no pixel bytes expected
  assert.throws(() => parseIdxImages(flat, source), /declares images of 0×3; expected sizes ≥ 1/);
});

test("idx: gzip bytes handed to the parser are named as gzip", () => {
  const gz = gzipSync(labels);
  assert.equal(isGzip(gz), true);
  assert.equal(isGzip(labels), false);
  assert.throws(() => parseIdxLabels(gz, source), /data\/x-idx3-ubyte: the bytes are gzip-compressed; decompress them before parsing/);
});

test("idx: label out of range names the index and the accepted range", () => {
  assert.throws(
    () => parseIdxLabels(encodeIdxLabels(Uint8Array.of(0, 1, 7, 2)), { ...source, numClasses: 4 }),
    /data\/x-idx3-ubyte: label 7 at index 2 is out of range; expected class indices 0\.\.3 \(4 classes\)/,
  );
});

test("gunzip (DecompressionStream): decodes gzip, passes raw bytes through, names a corrupt file", async () => {
  assert.deepEqual(await gunzip(gzipSync(images), source), images);
  assert.equal(await gunzipIfNeeded(images, source), images);
  const gz = gzipSync(images);
  await assert.rejects(gunzip(gz.subarray(0, gz.length - 8), source), /data\/x-idx3-ubyte: corrupt gzip data \(unexpected end of file\)/);
});

test("buildSplits: image/label count mismatch names both files", () => {
  const img = parseIdxImages(images, source);
  const lab = parseIdxLabels(labels, source);
  const sources = { trainImages: "a-images", trainLabels: "a-labels", testImages: "b-images", testLabels: "b-labels" };
  assert.throws(
    () => buildSplits({ trainImages: img, trainLabels: lab, testImages: img, testLabels: lab, sources }),
    /a-images has 2 images but a-labels has 4 labels; expected one label per image/,
  );
});

test("buildSplits: infers numClasses from the largest label, or checks the known count", () => {
  const img = parseIdxImages(images, source);
  const two = parseIdxLabels(encodeIdxLabels(Uint8Array.of(0, 4)), source);
  const sources = { trainImages: "ti", trainLabels: "tl", testImages: "ei", testLabels: "el" };
  const files = { trainImages: img, trainLabels: two, testImages: img, testLabels: two, sources };
  const { train, test: testSplit } = buildSplits(files);
  assert.equal(train.numClasses, 5);
  assert.equal(testSplit.numClasses, 5);
  assert.deepEqual([train.n, train.rows, train.cols], [2, 5, 3]);
  assert.throws(() => buildSplits(files, { numClasses: 3 }), /tl: label 4 at index 1 is out of range; expected class indices 0\.\.2/);
});

test("readIdxFile: raw and gzip files read the same, with the hash of the decompressed bytes", async (t) => {
  const dir = await tempDir(t);
  const memo = await HashMemo.open(join(dir, "memo.json"));
  await writeFile(join(dir, "raw"), images);
  await writeFile(join(dir, "packed.gz"), gzipSync(images));
  const raw = await readIdxFile(join(dir, "raw"), "images", memo);
  const packed = await readIdxFile(join(dir, "packed.gz"), "images", memo);
  for (const file of [raw, packed]) {
    assert.deepEqual(file.data, pixels);
    assert.equal(file.data.byteLength, file.data.buffer.byteLength, "data owns its buffer exactly");
    assert.equal(file.sha256, sha256(images));
  }
  assert.equal(raw.gzip, false);
  assert.equal(packed.gzip, true);
});

test("readIdxFile: missing, empty and corrupt gzip files are named", async (t) => {
  const dir = await tempDir(t);
  const memo = await HashMemo.open(join(dir, "memo.json"));
  await assert.rejects(readIdxFile(join(dir, "nope"), "labels", memo), new RegExp(`${dir}/nope: no such file; expected an IDX labels file there`));
  await writeFile(join(dir, "empty"), new Uint8Array(0));
  await assert.rejects(readIdxFile(join(dir, "empty"), "labels", memo), new RegExp(`${dir}/empty: the file is empty \\(0 bytes\\)`));
  const gz = gzipSync(labels);
  gz[gz.length - 12]! ^= 0xff; // damage the deflate stream
  await writeFile(join(dir, "bad.gz"), gz);
  await assert.rejects(readIdxFile(join(dir, "bad.gz"), "labels", memo), new RegExp(`${dir}/bad.gz: corrupt gzip data`));
});
