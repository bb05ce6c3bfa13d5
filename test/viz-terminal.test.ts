// The terminal frame (progress line + asciichart curves + legend) and the non-TTY line formats.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatDuration,
  formatEpochJson,
  formatEpochLine,
  formatProgressLine,
  renderTerminalFrame,
  stripAnsi,
  visibleWidth,
} from "../src/viz/terminal.ts";

const epochs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const curves = (n: number) => [
  { name: "train loss", x: epochs.slice(0, n), y: [0.786, 0.57, 0.525, 0.501, 0.486, 0.474, 0.466, 0.459, 0.453, 0.448].slice(0, n) },
  { name: "train acc", x: epochs.slice(0, n), y: [0.748, 0.813, 0.826, 0.833, 0.837, 0.841, 0.843, 0.845, 0.847, 0.849].slice(0, n) },
  { name: "test acc", x: epochs.slice(0, n), y: [0.791, 0.807, 0.815, 0.812, 0.826, 0.826, 0.822, 0.833, 0.832, 0.834].slice(0, n) },
];
const progress = { epoch: 4, numEpochs: 10, batch: 120, numBatches: 235, examplesPerSecond: 123456.7, etaSeconds: 75 };
const ANSI = /\x1b\[/;

test("terminal frame: every line fits the width and the frame fits the height", () => {
  for (const width of [24, 40, 60, 80, 132]) {
    for (const height of [3, 8, 12, 24, 50]) {
      for (const color of [false, true]) {
        const frame = renderTerminalFrame({ series: curves(10), xlim: [1, 10], ylim: [0.3, 0.9], xlabel: "epoch", progress, width, height, color });
        const lines = frame.split("\n");
        assert.ok(lines.length <= height, `${width}×${height}: ${lines.length} lines`);
        for (const line of lines) assert.ok(visibleWidth(line) <= width, `${width}×${height} color=${color}: "${stripAnsi(line)}"`);
      }
    }
  }
});

test("terminal frame: shows progress numbers, ETA, the curves and the legend names", () => {
  const frame = renderTerminalFrame({ series: curves(10), xlim: [1, 10], ylim: [0.3, 0.9], xlabel: "epoch", progress, width: 80, height: 20, color: false });
  const lines = frame.split("\n");
  assert.match(lines[0] ?? "", /^epoch  4\/10 █+░+ 120\/235  123,457 ex\/s  ETA 1:15$/);
  for (const name of ["train loss", "train acc", "test acc"]) assert.ok(frame.includes(name), name);
  assert.match(lines[lines.length - 1] ?? "", /── train loss 0\.448 {3}╌╌ train acc 0\.849 {3}┄┄ test acc 0\.834/);
  // y labels run from 0.90 down to 0.30, and the three line styles all appear.
  assert.match(lines[1] ?? "", /^ 0\.90┤/);
  assert.ok(lines.some((l) => l.startsWith(" 0.30┤")));
  for (const ch of ["─", "╌", "┄"]) assert.ok(frame.includes(ch), `line style ${ch}`);
  assert.match(lines[lines.length - 2] ?? "", /2 +4 +6 +8 +10 {2}epoch$/);
  assert.doesNotMatch(frame, ANSI);
});

test("terminal frame: the falling loss curve is drawn high on the left and low on the right", () => {
  const frame = renderTerminalFrame({ series: [curves(10)[0]!], xlim: [1, 10], ylim: [0.3, 0.9], width: 60, height: 16, color: false });
  const rows = frame.split("\n").filter((l) => /┤/.test(l));
  const rowOf = (col: number) => rows.findIndex((l) => /[─╮╯╭╰│]/.test(l.split("┤")[1]?.[col] ?? " "));
  assert.ok(rowOf(0) < rowOf(50), `loss starts above where it ends (${rowOf(0)} vs ${rowOf(50)})`);
});

test("terminal frame: colours only when asked", () => {
  const colored = renderTerminalFrame({ series: curves(3), xlim: [1, 10], ylim: [0.3, 0.9], progress, width: 80, height: 20, color: true });
  assert.match(colored, ANSI);
  assert.match(colored, /\x1b\[34m── *\x1b\[0m train loss/);
  const plain = renderTerminalFrame({ series: curves(3), xlim: [1, 10], ylim: [0.3, 0.9], progress, width: 80, height: 20, color: false });
  assert.doesNotMatch(plain, ANSI);
  assert.equal(stripAnsi(colored), plain);
});

test("terminal frame: partial training fills only the epochs done", () => {
  const frame = renderTerminalFrame({ series: curves(3), xlim: [1, 10], ylim: [0.3, 0.9], width: 80, height: 20, color: false });
  const body = frame.split("\n").filter((l) => l.includes("┤")).map((l) => l.split("┤")[1] ?? "");
  const lastDrawn = Math.max(...body.map((b) => b.trimEnd().length));
  assert.ok(lastDrawn > 10 && lastDrawn < 0.3 * 75, `drawn up to column ${lastDrawn}`);
});

test("terminal frame: tiny terminals get the progress line and legend, empty series are fine", () => {
  const frame = renderTerminalFrame({ series: curves(0), progress, width: 50, height: 4, color: false });
  assert.equal(frame.split("\n").length, 2);
  assert.match(frame, /120\/235/);
  const empty = renderTerminalFrame({ series: curves(0), width: 50, height: 12, color: false });
  assert.doesNotMatch(empty, /NaN|undefined/);
});

test("progress line: drops the rate, then the ETA, to fit narrow widths; unknowns show dashes", () => {
  const wide = formatProgressLine({ epoch: 1, numEpochs: 10, batch: 0, numBatches: 235 }, { width: 80, color: false });
  assert.match(wide, /^epoch  1\/10 ░+   0\/235  -- ex\/s  ETA --:--$/);
  const narrow = formatProgressLine(progress, { width: 40, color: false });
  assert.ok(narrow.length <= 40 && narrow.includes("ETA 1:15") && !narrow.includes("ex/s"), narrow);
  const tiny = formatProgressLine(progress, { width: 20, color: false });
  assert.ok(tiny.length <= 20 && tiny.includes("120/235"), tiny);
});

test("formatDuration: m:ss, h:mm:ss, and dashes for unknown", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(75.4), "1:15");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(undefined), "--:--");
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), "--:--");
});

test("epoch line and JSON line for non-TTY output", () => {
  const metrics = { epoch: 3, trainLoss: 0.52513, trainAcc: 0.82601, testAcc: 0.815 };
  assert.equal(formatEpochLine(metrics, { numEpochs: 10, seconds: 4.12 }), "epoch  3/10  train loss 0.5251  train acc 0.8260  test acc 0.8150  4.1 s");
  assert.equal(formatEpochLine(metrics), "epoch 3  train loss 0.5251  train acc 0.8260  test acc 0.8150");
  const json = formatEpochJson(metrics, { numEpochs: 10 });
  assert.deepEqual(JSON.parse(json), { event: "epoch", numEpochs: 10, epoch: 3, trainLoss: 0.52513, trainAcc: 0.82601, testAcc: 0.815 });
  assert.ok(!json.includes("\n"));
  assert.equal(JSON.parse(formatEpochJson({ ...metrics, trainLoss: Number.NaN })).trainLoss, null);
});
