// PNG → model input, worked by hand: luminance weights, alpha and tRNS composited on white, 1-bit and
// palette images, inversion decided by the border, and area-averaged resizing (exact box means).

import assert from "node:assert/strict";
import { test } from "node:test";
import { encode } from "fast-png";
import { decodePngGrey, prepareInput, resizeArea } from "../src/cli/image-input.ts";

const close = (actual: ArrayLike<number>, expected: readonly number[], eps = 1e-12): void => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs((actual[i] ?? Number.NaN) - e) <= eps, `[${i}] ${actual[i]} vs ${e}`));
};

test("decodePngGrey: Rec. 601 luminance of RGB; alpha composited on white", () => {
  const rgb = encode({ width: 3, height: 1, channels: 3, depth: 8, data: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255) });
  close(decodePngGrey(rgb, "rgb.png").grey, [0.299, 0.587, 0.114]);
  const rgba = encode({ width: 2, height: 1, channels: 4, depth: 8, data: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 255) });
  close(decodePngGrey(rgba, "rgba.png").grey, [1, 0]); // transparent black is white; opaque black stays black
  const greyAlpha = encode({ width: 1, height: 1, channels: 2, depth: 8, data: Uint8Array.of(0, 51) });
  close(decodePngGrey(greyAlpha, "ga.png").grey, [1 - 0.2]);
});

test("decodePngGrey: 1-bit grey, 16-bit grey, palette with transparency", () => {
  // 1-bit rows are packed and padded to whole bytes: 10 pixels → 2 bytes per row.
  const oneBit = encode({ width: 10, height: 1, channels: 1, depth: 1, data: Uint8Array.of(0b10100000, 0b01000000) });
  const decoded = decodePngGrey(oneBit, "bits.png");
  close(decoded.grey, [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(decoded.description, "10 × 1 grey, 1-bit");
  const deep = encode({ width: 2, height: 1, channels: 1, depth: 16, data: Uint16Array.of(0, 65535) });
  close(decodePngGrey(deep, "deep.png").grey, [0, 1]);
  // The transparent entry first: the encoder writes alpha values only for non-opaque entries, from index 0.
  const palette = encode({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(1, 0), palette: [[0, 0, 0, 0], [255, 0, 0, 255]] });
  const p = decodePngGrey(palette, "palette.png");
  close(p.grey, [0.299, 1]);
  assert.equal(p.description, "2 × 1 palette (RGBA), 8-bit");
});

test("decodePngGrey: bytes that are not a PNG, or an empty file, are named in the error", () => {
  assert.throws(() => decodePngGrey(new TextEncoder().encode("GIF89a..."), "a.gif"), /^Error: a\.gif: not a PNG image \(it starts with bytes 47 49 46 38 39 61 2e 2e;/);
  assert.throws(() => decodePngGrey(new Uint8Array(0), "empty.png"), /^Error: empty\.png: not a PNG image \(it starts with nothing: the file is empty;/);
});

test("resizeArea: exact box means when shrinking by whole and fractional factors; identity at the same size", () => {
  const src = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  close(resizeArea(src, 4, 4, 2, 2), [3.5, 5.5, 11.5, 13.5]);
  // 3 → 2: each output covers 1.5 source pixels: (0 + 0.5·3) / 1.5 = 1 and (0.5·3 + 6) / 1.5 = 5.
  close(resizeArea(Float64Array.from([0, 3, 6]), 3, 1, 2, 1), [1, 5]);
  close(resizeArea(src, 4, 4, 4, 4), [...src]);
  // Enlarging repeats values (each output lies inside one source pixel or straddles two).
  close(resizeArea(Float64Array.from([0, 1]), 2, 1, 4, 1), [0, 0, 1, 1]);
});

test("prepareInput: a light border inverts (dark object on white → light on black); a dark border does not", () => {
  const onWhite = { grey: Float64Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]), width: 3, height: 3, description: "" };
  const a = prepareInput(onWhite, 3, 3);
  assert.equal(a.inverted, true);
  assert.deepEqual([...a.pixels], [0, 0, 0, 0, 255, 0, 0, 0, 0]);
  const onBlack = { grey: Float64Array.from([0, 0, 0, 0, 0.5, 0, 0, 0, 0]), width: 3, height: 3, description: "" };
  const b = prepareInput(onBlack, 3, 3);
  assert.equal(b.inverted, false);
  assert.equal(b.borderMean, 0);
  assert.deepEqual([...b.pixels], [0, 0, 0, 0, 128, 0, 0, 0, 0]);
});
