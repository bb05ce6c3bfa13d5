// `softmax show` on the real Fashion-MNIST (a PNG of the first images with labels; no escapes off a
// terminal) and the half-block terminal images by hand (pixel pairs, 256-colour greys, labels).

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { decode } from "fast-png";
import { grey256, halfBlockGrid, halfBlockLines, imageColorDepth } from "../src/cli/terminal-images.ts";
import { softmax } from "./helpers/cli-run.ts";
import { tempDir } from "./helpers/data-fixtures.ts";

test("softmax show: writes a PNG of the first test images with their labels and prints its path", async (t) => {
  const dir = await tempDir(t, "softmax-cli-show-");
  const out = join(dir, "first.png");
  const run = await softmax(["show", "--split", "test", "-n", "3", "--out", out, "--offline"], join(dir, "cache"));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `3 test images of Fashion-MNIST with labels: ${out}\n`); // not a terminal: no images drawn
  const png = decode(await readFile(out));
  // Three 84-px cells (28 px × 3) with titles, at twice the SVG size.
  assert.ok(png.width > 2 * 3 * 84 && png.width < 2 * 3 * 110, String(png.width));
  assert.ok(png.height > 2 * 84 && png.height < 2 * 130, String(png.height));
});

test("half blocks: the upper pixel is the foreground, the lower the background; colours written only when they change", () => {
  const lines = halfBlockLines(Uint8Array.of(0, 255, 255, 0, 128, 128), 2, 3, 24);
  assert.deepEqual(lines, [
    "\x1b[38;2;0;0;0m\x1b[48;2;255;255;255m▀\x1b[38;2;255;255;255m\x1b[48;2;0;0;0m▀\x1b[0m",
    "\x1b[38;2;128;128;128m\x1b[48;2;0;0;0m▀▀\x1b[0m", // odd height: the last row's lower half is black
  ]);
  assert.equal(grey256(0), 16);
  assert.equal(grey256(255), 231);
  assert.equal(grey256(128), 244); // 8 + 10 · 12 = 128
  assert.match(halfBlockLines(Uint8Array.of(128, 128), 1, 2, 8)[0] ?? "", /^\x1b\[38;5;244m\x1b\[48;5;244m▀/);
});

test("half-block grid: as many images per row as fit, labels centred under them", () => {
  const img = new Uint8Array(4 * 2);
  const text = halfBlockGrid([img, img, img], ["a", "bb", "c"], { width: 4, height: 2, columns: 10, depth: 24 });
  const plain = text.replace(/\x1b\[[\d;]*m/g, "").split("\n");
  assert.deepEqual(plain, ["▀▀▀▀  ▀▀▀▀", " a     bb", "", "▀▀▀▀", " c", ""]);
});

test("terminal images only on a colour TTY without NO_COLOR", () => {
  const tty = { isTTY: true, getColorDepth: () => 8 };
  assert.equal(imageColorDepth(tty, {}), 8);
  assert.equal(imageColorDepth(tty, { COLORTERM: "truecolor" }), 24);
  assert.equal(imageColorDepth(tty, { NO_COLOR: "1" }), undefined);
  assert.equal(imageColorDepth({ isTTY: true, getColorDepth: () => 4 }, {}), undefined);
  assert.equal(imageColorDepth({ isTTY: false }, { COLORTERM: "truecolor" }), undefined);
});
