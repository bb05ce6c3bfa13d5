// The terminal Animator loop on a recording terminal: hidden cursor, frames redrawn in place (cursor up
// over the previous frame), at most ~10 redraws a second, colour only when wanted, and the plain and
// JSON line modes used off a terminal.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { LiveView, viewModeFor, wantsColor } from "../src/cli/live-view.ts";
import type { OutputStream } from "../src/cli/command.ts";
import { trainingAnimator } from "../src/viz/animator.ts";
import { stripAnsi } from "../src/viz/terminal.ts";

/** A fake terminal that keeps every write. */
function terminal(columns = 80, rows = 24): OutputStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY: true, columns, rows, writes, write: (text: string) => writes.push(text) };
}

const FRAME_START = /^\r(\x1b\[(\d+)A)?\x1b\[2K/;

test("live view: a TTY frame is redrawn in place, at most ~10 times a second, cursor hidden then restored", async () => {
  const out = terminal(72, 30);
  const animator = trainingAnimator(3);
  const view = new LiveView(out, { mode: "tty", color: true, numEpochs: 3, examplesPerEpoch: 60000, animator });
  view.start();
  assert.equal(out.writes[0], "\x1b[?25l");
  const frameCount = () => out.writes.filter((w) => FRAME_START.test(w)).length;
  await sleep(250); // long enough for a rate and an ETA
  for (let batch = 1; batch <= 235; batch++) view.batch({ epoch: 1, batch, numBatches: 235, examples: Math.min(60000, batch * 256) });
  assert.equal(frameCount(), 2, "the start frame and the burst's first batch; the rest waits 100 ms");
  await sleep(150);
  assert.equal(frameCount(), 3, "one more frame for the rest of the burst");
  animator.add(1, [0.78, 0.75, 0.79]);
  view.epoch({ epoch: 1, trainLoss: 0.78, trainAcc: 0.75, testAcc: 0.79 }, 1.2);
  await sleep(150);
  view.finish();
  assert.equal(out.writes.at(-1), "\x1b[?25h");

  const frames = out.writes.filter((w) => FRAME_START.test(w));
  assert.ok(frames.length >= 5 && frames.length <= 6, `${frames.length} frames`);
  let previousLines = 0;
  for (const frame of frames) {
    const up = FRAME_START.exec(frame)?.[2];
    // Each redraw goes back up to the first line of the frame before it (the cursor rests on its last line).
    assert.equal(up, previousLines > 1 ? String(previousLines - 1) : undefined, JSON.stringify(frame.slice(0, 20)));
    const lines = frame.split("\n");
    for (const line of lines) assert.ok(stripAnsi(line.replace(/\r|\x1b\[(\d+A|2K|J|2m|22m)/g, "")).length <= 71, line);
    previousLines = lines.length;
  }
  const last = stripAnsi(frames.at(-1) ?? "");
  assert.doesNotMatch(last, /epoch \d\/3/, "the final frame has no progress line");
  assert.match(last, /train loss 0\.780/);
  const during = stripAnsi(frames[2] ?? "");
  assert.match(stripAnsi(frames[1] ?? ""), /epoch 1\/3 .* {2}1\/235 /);
  assert.match(during, /epoch 1\/3 .* 235\/235 +[\d,]+ ex\/s +ETA \d+:\d\d/);
  assert.match(during, /Ctrl-C: stop after this batch and save the run/);
  assert.match(frames[2] ?? "", /\x1b\[3\dm/, "coloured progress bar");
});

test("live view: no colour for NO_COLOR, a pipe or TERM=dumb; plain lines and JSON lines off a terminal", () => {
  const tty = terminal();
  assert.equal(wantsColor(tty, {}), true);
  assert.equal(wantsColor(tty, { NO_COLOR: "1" }), false);
  assert.equal(wantsColor(tty, { NO_COLOR: "" }), true);
  assert.equal(wantsColor({ write: () => undefined }, {}), false);
  assert.equal(viewModeFor(tty, {}, false), "tty");
  assert.equal(viewModeFor(tty, { TERM: "dumb" }, false), "plain");
  assert.equal(viewModeFor({ write: () => undefined }, {}, false), "plain");
  assert.equal(viewModeFor(tty, {}, true), "json");

  const noColor = terminal();
  const view = new LiveView(noColor, { mode: "tty", color: false, numEpochs: 2, examplesPerEpoch: 100, animator: trainingAnimator(2) });
  view.start();
  view.batch({ epoch: 1, batch: 1, numBatches: 1, examples: 100 });
  view.finish();
  assert.doesNotMatch(noColor.writes.join(""), /\x1b\[\d+(;\d+)*m/);

  const metrics = { epoch: 1, trainLoss: 0.7847, trainAcc: 0.7507, testAcc: 0.7876 };
  const pipe = { writes: [] as string[], write(text: string) { this.writes.push(text); } };
  const plain = new LiveView(pipe, { mode: "plain", color: false, numEpochs: 10, examplesPerEpoch: 100, animator: trainingAnimator(10) });
  plain.start();
  plain.batch({ epoch: 1, batch: 1, numBatches: 1, examples: 100 });
  plain.epoch(metrics, 4.12);
  plain.finish();
  assert.deepEqual(pipe.writes, ["epoch  1/10  train loss 0.7847  train acc 0.7507  test acc 0.7876  4.1 s\n"]);

  const lines = { writes: [] as string[], write(text: string) { this.writes.push(text); } };
  const json = new LiveView(lines, { mode: "json", color: false, numEpochs: 10, examplesPerEpoch: 100, animator: trainingAnimator(10) });
  json.epoch(metrics, 4.1234);
  assert.deepEqual(lines.writes.map((l) => JSON.parse(l)), [{ event: "epoch", numEpochs: 10, seconds: 4.123, ...metrics }]);
});
