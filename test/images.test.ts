// showImages and weightsImage as SVG: cells, titles, marks, the embedded pixels and the colour map.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { showImages } from "../src/viz/images.ts";
import { weightsImage } from "../src/viz/weights.ts";
import { base64, base64Portable, divergingColor, resizeNearest, toBytes } from "../src/viz/raster.ts";
import { MARK_COLOR } from "../src/viz/imageGrid.ts";

/** n images of rows × cols: image k is filled with 10 + 20k, with one bright pixel at (k mod rows, k mod cols). */
function patterned(n: number, rows: number, cols: number): Uint8Array {
  const data = new Uint8Array(n * rows * cols);
  for (let k = 0; k < n; k++) {
    data.fill(10 + 20 * k, k * rows * cols, (k + 1) * rows * cols);
    data[k * rows * cols + (k % rows) * cols + (k % cols)] = 255;
  }
  return data;
}

/** The embedded images of an SVG, decoded, with their placement. */
function cellImages(svg: string) {
  return [...svg.matchAll(/<image class="cell-image" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*href="data:image\/png;base64,([^"]+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    height: Number(m[4]),
    png: decode(Buffer.from(m[5] ?? "", "base64")),
  }));
}

test("base64 (native in Node) and base64Portable (browsers) match the standard encoding for every padding case", () => {
  for (const encode of [base64, base64Portable]) {
    for (const n of [0, 1, 2, 3, 4, 5, 255]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      assert.equal(encode(bytes), Buffer.from(bytes).toString("base64"), `${encode.name}, ${n} bytes`);
    }
    const large = Uint8Array.from({ length: 100_001 }, (_, i) => (i * 7919) & 255);
    assert.equal(encode(large), Buffer.from(large).toString("base64"), encode.name);
    // A view into a larger buffer: only its own bytes.
    assert.equal(encode(large.subarray(5, 17)), Buffer.from(large.subarray(5, 17)).toString("base64"), `${encode.name}, a view`);
  }
});

test("toBytes: floats in [0, 1] become 0–255, clamped; bytes pass through", () => {
  assert.deepEqual([...toBytes(Float32Array.from([0, 0.5, 1, 1.5, -1, Number.NaN]))], [0, 128, 255, 255, 0, 0]);
  const bytes = Uint8Array.from([1, 2, 3]);
  assert.equal(toBytes(bytes), bytes);
});

test("resizeNearest: integer factors turn each pixel into an exact block", () => {
  const out = resizeNearest(Uint8Array.from([1, 2, 3, 4]), 2, 2, 1, 4, 4);
  assert.deepEqual([...out], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
});

test("showImages: one scaled image per cell, pixels in place, laid out row by row", () => {
  const svg = showImages({ data: patterned(6, 28, 28), rows: 28, cols: 28 }, 2, 3, { scale: 3 });
  const cells = cellImages(svg);
  assert.equal(cells.length, 6);
  cells.forEach((cell, k) => {
    assert.equal(cell.width, 84);
    assert.equal(cell.png.width, 84);
    assert.equal(cell.png.height, 84);
    const at = (r: number, c: number) => cell.png.data[r * 84 + c];
    assert.equal(at(3 * (k % 28) + 1, 3 * (k % 28) + 2), 255, `bright pixel of image ${k}`);
    assert.equal(at(80, 40), 10 + 20 * k);
  });
  // Row-major: the first three share a y, the fourth starts the second row at the first x.
  assert.equal(cells[0]?.y, cells[2]?.y);
  assert.ok((cells[3]?.y ?? 0) > (cells[0]?.y ?? 0) + 84);
  assert.equal(cells[3]?.x, cells[0]?.x);
  assert.ok((cells[1]?.x ?? 0) >= (cells[0]?.x ?? 0) + 84);
});

test("showImages and weightsImage: pngLevel 0 embeds the very same pixels, stored uncompressed (a larger document)", () => {
  const images = { data: patterned(6, 28, 28), rows: 28, cols: 28 };
  const compressed = showImages(images, 2, 3);
  const stored = showImages(images, 2, 3, { pngLevel: 0 });
  assert.ok(stored.length > 2 * compressed.length, `${stored.length} vs ${compressed.length}`);
  assert.deepEqual(cellImages(stored).map((c) => [...c.png.data]), cellImages(compressed).map((c) => [...c.png.data]));
  const W = Float32Array.from({ length: 784 * 10 }, (_, i) => Math.sin(i) / 10);
  const weights = (pngLevel?: 0) => weightsImage(W, 784, 10, pngLevel === undefined ? {} : { pngLevel });
  const pixels = (svg: string) => [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => [...decode(Buffer.from(m[1] ?? "", "base64")).data]);
  assert.equal(pixels(weights()).length, 11); // ten templates and the colour bar
  assert.deepEqual(pixels(weights(0)), pixels(weights()));
});

test("showImages: titles appear under each image, two lines when split by \\n", () => {
  const titles = ["ankle boot\nsneaker", "trouser\ntrouser", "a < b & c"];
  const svg = showImages({ data: patterned(3, 28, 28), rows: 28, cols: 28 }, 1, 3, { titles });
  const texts = [...svg.matchAll(/<text[^>]*class="title"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(texts, ["ankle boot", "sneaker", "trouser", "trouser", "a &lt; b &amp; c"]);
  const firstTitleY = Number(/<text x="[\d.]+" y="([\d.]+)"[^>]*class="title"/.exec(svg)?.[1]);
  const image = cellImages(svg)[0];
  assert.ok(firstTitleY > (image?.y ?? 0) + (image?.height ?? 0), "title below the image");
});

test("showImages: marks draw a red frame and red titles on the marked images only", () => {
  const svg = showImages({ data: patterned(3, 28, 28), rows: 28, cols: 28 }, 1, 3, {
    titles: ["coat\ncoat", "shirt\nt-shirt", "bag\nbag"],
    marks: [false, true, false],
  });
  const groups = [...svg.matchAll(/<g class="cell( marked)?" data-index="(\d)">([\s\S]*?)<\/g>/g)];
  assert.deepEqual(groups.map((g) => Boolean(g[1])), [false, true, false]);
  const marked = groups[1]?.[3] ?? "";
  assert.match(marked, new RegExp(`<rect class="mark"[^>]*stroke="${MARK_COLOR}"`));
  assert.equal([...marked.matchAll(new RegExp(`<text[^>]*fill="${MARK_COLOR}"[^>]*class="title"`, "g"))].length, 2);
  assert.doesNotMatch(groups[0]?.[3] ?? "", new RegExp(MARK_COLOR));
});

test("showImages: Float32 pixels in [0, 1] draw like their bytes; extra images are ignored", () => {
  const bytes = patterned(2, 4, 5);
  const floats = Float32Array.from(bytes, (v) => v / 255);
  assert.equal(showImages({ data: floats, rows: 4, cols: 5 }, 1, 1), showImages({ data: bytes, rows: 4, cols: 5 }, 1, 1));
  assert.equal(cellImages(showImages([{ data: bytes, rows: 4, cols: 5 }], 1, 1)).length, 1);
});

test("showImages: wrong sizes fail with a message saying what was expected", () => {
  assert.throws(() => showImages({ data: new Uint8Array(100), rows: 28, cols: 28 }, 1, 1), /100 pixels is not a whole number of 28 × 28 images/);
  assert.throws(() => showImages({ data: new Uint8Array(784), rows: 28, cols: 28 }, 0, 1), /numRows and numCols must be positive integers/);
});

test("divergingColor: blue for negative, white at zero, red for positive, symmetric ends", () => {
  assert.deepEqual(divergingColor(0), [255, 255, 255]);
  const [r1, , b1] = divergingColor(-0.6);
  const [r2, , b2] = divergingColor(0.6);
  assert.ok(b1 > r1 && r2 > b2);
  assert.deepEqual(divergingColor(-5), divergingColor(-1));
  assert.deepEqual(divergingColor(1), [103, 0, 31]);
});

test("weightsImage: one template per class with its name, coloured on one symmetric scale", () => {
  const inputs = 4 * 3;
  const classes = 2;
  const W = new Float32Array(inputs * classes);
  W[0 * classes + 0] = 2; // class 0, pixel (0, 0): the largest weight → darkest red
  W[5 * classes + 0] = -1; // class 0, pixel (1, 2): half as negative → mid blue
  W[11 * classes + 1] = -2; // class 1, pixel (3, 2): darkest blue
  const svg = weightsImage(W, inputs, classes, { rows: 4, cols: 3, classNames: ["coat", "bag"], scale: 2 });
  const cells = cellImages(svg);
  assert.equal(cells.length, 2);
  const rgb = (cell: number, r: number, c: number) => {
    const png = cells[cell]!.png;
    const i = (2 * r * png.width + 2 * c) * png.channels;
    return [png.data[i], png.data[i + 1], png.data[i + 2]];
  };
  assert.deepEqual(rgb(0, 0, 0), divergingColor(1));
  assert.deepEqual(rgb(0, 1, 2), divergingColor(-0.5));
  assert.deepEqual(rgb(0, 2, 2), [255, 255, 255]);
  assert.deepEqual(rgb(1, 3, 2), divergingColor(-1));
  const names = [...svg.matchAll(/<text[^>]*class="title"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(names, ["coat", "bag"]);
  assert.match(svg, /<g class="color-bar">/);
  assert.match(svg, />−2<\/text>/);
});

test("weightsImage: refuses W of the wrong size or an impossible image shape", () => {
  assert.throws(() => weightsImage(new Float32Array(10), 784, 10), /W has 10 values, expected inputs × classes = 784 × 10 = 7840/);
  assert.throws(() => weightsImage(new Float32Array(20), 10, 2, { rows: 3 }), /image shape 3 × .* does not hold 10 inputs/);
  assert.throws(() => weightsImage(new Float32Array(20), 10, 2, { rows: 2, classNames: ["a"] }), /1 class names for 2 classes/);
});
