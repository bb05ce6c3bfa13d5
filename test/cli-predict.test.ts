// `softmax predict` on real PNG files made from Fashion-MNIST test images: the image itself (grey,
// 16-bit, palette) gives the --index answer; an RGB 100 × 100 version on white and an RGBA one on a
// transparent background are inverted and resized back and still get the right class.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encode } from "fast-png";
import { loadDataset } from "../src/data/load.ts";
import type { DataSplit } from "../src/data/split.ts";
import { softmax } from "./helpers/cli-run.ts";

interface Prediction {
  input?: string;
  index?: number;
  trueClass?: number;
  inverted?: boolean;
  top: { class: number; name: string; probability: number }[];
}

let work: string;
let cache: string;
let modelFile: string;
let test10k: DataSplit;

before(async () => {
  work = await mkdtemp(join(tmpdir(), "softmax-cli-predict-"));
  cache = join(work, "cache");
  const run = await softmax(["train", "--epochs", "1", "--out", join(work, "run"), "--offline"], cache);
  assert.equal(run.code, 0, run.stderr);
  modelFile = join(work, "run", "model.safetensors");
  test10k = (await loadDataset({ offline: true, env: { XDG_CACHE_HOME: cache } })).test;
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

function parseLines(stdout: string): Prediction[] {
  return stdout.trim().split("\n").map((l) => JSON.parse(l) as Prediction);
}

/** Test image `index` as rows × cols bytes. */
function image(index: number): Uint8Array {
  const size = test10k.rows * test10k.cols;
  return test10k.images.slice(index * size, (index + 1) * size);
}

/** Nearest-neighbour upscale of a 28 × 28 image to `size` × `size`. */
function upscale(pixels: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = pixels[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)] ?? 0;
  return out;
}

test("predict: PNGs made from a test image (grey, 16-bit, palette, RGB on white 100 × 100, RGBA on transparent) get its class", async () => {
  // The test image among the first 20 the model is surest of (and right about).
  const byIndex = await softmax(["predict", "--model", modelFile, "--offline", "--json", "--index", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19"], cache);
  assert.equal(byIndex.code, 0, byIndex.stderr);
  const candidates = parseLines(byIndex.stdout).filter((p) => p.top[0]?.class === p.trueClass);
  const best = candidates.reduce((a, b) => ((b.top[0]?.probability ?? 0) > (a.top[0]?.probability ?? 0) ? b : a));
  const index = best.index as number;
  const label = best.trueClass as number;
  const pixels = image(index);

  const grey = join(work, "grey.png");
  await writeFile(grey, encode({ width: 28, height: 28, data: pixels, channels: 1, depth: 8 }));
  const deep = join(work, "grey16.png");
  await writeFile(deep, encode({ width: 28, height: 28, data: Uint16Array.from(pixels, (v) => v * 257), channels: 1, depth: 16 }));
  const palette = join(work, "palette.png");
  const levels = Array.from({ length: 256 }, (_, v) => [v, v, v]);
  await writeFile(palette, encode({ width: 28, height: 28, data: pixels, channels: 1, depth: 8, palette: levels }));

  // A dark object on a white page, in colour, 100 × 100: must be inverted and shrunk back to 28 × 28.
  const big = upscale(pixels, 100);
  const rgb = new Uint8Array(100 * 100 * 3);
  big.forEach((v, i) => rgb.set([255 - v, 255 - v, Math.min(255, 265 - v)], i * 3));
  const onWhite = join(work, "on-white.png");
  await writeFile(onWhite, encode({ width: 100, height: 100, data: rgb, channels: 3, depth: 8 }));

  // A black object drawn with the image as its opacity, on a transparent background: composited on white.
  const mid = upscale(pixels, 56);
  const rgba = new Uint8Array(56 * 56 * 4);
  mid.forEach((v, i) => rgba.set([0, 0, 0, v], i * 4));
  const transparent = join(work, "transparent.png");
  await writeFile(transparent, encode({ width: 56, height: 56, data: rgba, channels: 4, depth: 8 }));

  const files = [grey, deep, palette, onWhite, transparent];
  const run = await softmax(["predict", "--model", modelFile, "--json", ...files], cache);
  assert.equal(run.code, 0, run.stderr);
  const predictions = parseLines(run.stdout);
  assert.deepEqual(predictions.map((p) => p.input), files);
  assert.deepEqual(predictions.map((p) => p.inverted), [false, false, false, true, true]);
  for (const p of predictions) assert.equal(p.top[0]?.class, label, `${p.input}: ${JSON.stringify(p.top)}`);
  // The 28 × 28 grey file is the test image byte for byte: same ranking, same probabilities.
  for (const p of predictions.slice(0, 3)) {
    assert.deepEqual(p.top.map((t) => t.class), best.top.map((t) => t.class));
    p.top.forEach((t, k) => assert.ok(Math.abs(t.probability - (best.top[k]?.probability ?? 0)) < 1e-6, `${p.input} ${t.probability}`));
  }

  // The text output names the file, what it was, and the three classes.
  const text = await softmax(["predict", "--model", modelFile, onWhite], cache);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${onWhite.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} {2}\\(100 × 100 RGB, 8-bit, light background: inverted\\)\\n {2}1\\. ${best.top[0]?.name} +0\\.\\d{4}\\n {2}2\\. .+\\n {2}3\\. .+\\n$`));
});
