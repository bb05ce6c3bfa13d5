// Bad input to the `softmax` commands, as child processes: bad command lines exit 2 with one line naming
// the flag and what is accepted; bad files (malformed model, model for other data, non-PNG) exit 1
// with a message naming the file. No stack traces. Also: every command's --help has examples.

import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeModel, MODEL_FORMAT } from "../src/io/model.ts";
import type { SoftmaxModel } from "../src/io/model.ts";
import { softmax, spawnSoftmax } from "./helpers/cli-run.ts";

let work: string;
let cache: string;
let good: string; // a valid 784 × 10 model file
let bytes: Uint8Array;

function model(rows: number, cols: number, classes: number): SoftmaxModel {
  const inputs = rows * cols;
  return {
    W: Float32Array.from({ length: inputs * classes }, (_, i) => Math.sin(i) * 0.01),
    b: new Float32Array(classes),
    inputs,
    classes,
    classNames: Array.from({ length: classes }, (_, k) => `c${k}`),
    inputShape: [rows, cols],
    preprocessing: "pixel / 255",
    training: { batchSize: 256, softmax: "stable" },
    metrics: {},
  };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "softmax-cli-errors-"));
  cache = join(work, "cache");
  good = join(work, "good.safetensors");
  bytes = encodeModel(model(28, 28, 10));
  await writeFile(good, bytes);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs and checks: the exit code, stderr is exactly one line matching, stdout is empty. */
async function expectError(args: string[], code: number, message: RegExp): Promise<void> {
  const run = await softmax(args, cache);
  assert.equal(run.code, code, `${args.join(" ")}\n${run.stderr}`);
  assert.match(run.stderr, message, args.join(" "));
  assert.equal(run.stderr.split("\n").length, 2, `one line: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
  assert.equal(run.stdout, "");
}

test("bad command lines exit 2 with one line saying what is wrong and what is accepted", async () => {
  const cases: [string[], RegExp][] = [
    [["trian"], /^softmax: unknown command 'trian'; commands: train, eval, predict, show, data, help\n$/],
    [["train", "--epoch", "3"], /^softmax train: unknown option '--epoch'; accepted: --dataset, --data, --offline, --epochs, --lr, --batch-size, --seed, --softmax, --init, --no-shuffle, --out, --json, --kernels, --trainer, --threads, --verbose, --help\n$/],
    [["train", "--epochs", "abc"], /^softmax train: --epochs must be an integer of at least 1; got 'abc'\n$/],
    [["train", "--epochs", "2.5"], /^softmax train: --epochs must be an integer of at least 1; got '2\.5'\n$/],
    [["train", "--lr", "-1"], /^softmax train: --lr must be a number greater than 0; got '-1'\n$/],
    [["train", "--lr", "0"], /^softmax train: --lr must be a number greater than 0; got '0'\n$/],
    [["train", "--batch-size", "0"], /^softmax train: --batch-size must be an integer of at least 1; got '0'\n$/],
    [["train", "--softmax", "fast"], /^softmax train: --softmax must be one of stable, naive; got 'fast'\n$/],
    [["train", "--lr"], /^softmax train: --lr needs a value \(RATE\)\n$/],
    [["train", "--init", join(work, "missing.safetensors")], /^softmax train: --init .*missing\.safetensors: no such file\n$/],
    [["train", "--data", join(work, "no-such-folder")], /^softmax train: --data .*no-such-folder: no such folder; expected a folder holding the four IDX files\n$/],
    [["eval"], /^softmax eval: --model FILE is required \(a model\.safetensors written by softmax train\)\n$/],
    [["eval", "--model", join(work, "nope.safetensors")], /^softmax eval: --model .*nope\.safetensors: no such file\n$/],
    [["eval", "--model", work], /^softmax eval: --model .*: not a file\n$/],
    [["predict", "--model", "x"], /^softmax predict: nothing to predict; give IMAGE\.png files and\/or --index N \(a test image\)\n$/],
    [["predict", "--index", "1"], /^softmax predict: --model FILE is required/],
    [["predict", "--model", "m", "--index", "-3"], /^softmax predict: --index must be an integer of at least 0; got '-3'\n$/],
    [["predict", "--model", "m", join(work, "no.png")], /^softmax predict: image .*no\.png: no such file\n$/],
    [["eval", "--model", "m", "--kernels", "gpu"], /^softmax eval: --kernels must be one of auto, ref, wasm; got 'gpu'\n$/],
    [["train", "--trainer", "gpu"], /^softmax train: --trainer must be one of auto, autograd, fused; got 'gpu'\n$/],
    [["train", "--trainer", "fused", "--softmax", "naive"], /^softmax train: --trainer fused: the fused trainer computes the stable softmax cross-entropy only, and --softmax naive asks for the chapter's naive one; use --trainer autograd \(or auto\)\n$/],
    [["train", "--trainer", "fused", "--kernels", "ref"], /^softmax train: --trainer fused: the fused trainer runs on WebAssembly SIMD, and the kernels are ref \(the reference kernels were asked for\); use --trainer autograd \(or auto\)\n$/],
    [["train", "--trainer", "autograd", "--kernels", "ref", "--threads", "2"], /^softmax train: --threads 2: this run trains through autograd \(--trainer autograd: the chapter's train\(\) \+ sgd\), which splits its products across threads on the wasm-relaxed-simd kernels only, and the kernels are ref \(the reference kernels were asked for\)\n$/],
    [["train", "--kernels", "ref", "--threads", "4"], /^softmax train: --threads 4: this run trains through autograd \(auto: the fused trainer runs on WebAssembly SIMD, and the kernels are ref \(the reference kernels were asked for\)\), which splits its products across threads on the wasm-relaxed-simd kernels only, and the kernels are ref \(the reference kernels were asked for\)\n$/],
    [["train", "--threads", "5"], /^softmax train: --threads must be at most 4 or auto; got '5' \(each batch's gradient is summed from 4 shards and a thread computes whole shards\)\n$/],
    [["train", "--threads", "0"], /^softmax train: --threads must be a positive integer or auto; got '0'\n$/],
    [["train", "--threads", "two"], /^softmax train: --threads must be a positive integer or auto; got 'two'\n$/],
    [["show", "--split", "validation"], /^softmax show: --split must be one of train, test; got 'validation'\n$/],
    [["show", "-n", "0"], /^softmax show: -n must be an integer from 1 to 1000; got '0'\n$/],
  ];
  for (const [args, message] of cases) await expectError(args, 2, message);
});

test("a malformed model file exits 1 naming the file and what is wrong", async () => {
  const truncated = join(work, "truncated.safetensors");
  await writeFile(truncated, bytes.subarray(0, bytes.length - 1000));
  await expectError(["eval", "--model", truncated], 1, /^softmax: error: .*truncated\.safetensors: not a valid safetensors file: tensor "\w": data_offsets \[\d+, \d+\] are out of bounds: the data section has \d+ bytes\n$/);

  const tooShort = join(work, "short.safetensors");
  await writeFile(tooShort, bytes.subarray(0, 5));
  await expectError(["predict", "--model", tooShort, "--index", "0"], 1, /^softmax: error: .*short\.safetensors: not a valid safetensors file: truncated: 5 bytes/);

  const lying = join(work, "lying.safetensors");
  const header = new Uint8Array(8 + 2);
  new DataView(header.buffer).setUint32(0, 1_000_000, true);
  header.set(new TextEncoder().encode("{}"), 8);
  await writeFile(lying, header);
  await expectError(["eval", "--model", lying], 1, /^softmax: error: .*lying\.safetensors: not a valid safetensors file: header length 1000000 claims more bytes than the file has \(10 bytes in all; truncated or not safetensors\)\n$/);

  const notModel = join(work, "not-a-model.safetensors");
  await writeFile(notModel, new TextEncoder().encode("hello, this is text"));
  await expectError(["eval", "--model", notModel], 1, new RegExp(`^softmax: error: .*not-a-model\\.safetensors: not a valid safetensors file: header length \\d+ claims more bytes`));
  assert.equal(MODEL_FORMAT, "softmax-regression");
});

test("a model for 10 × 10 inputs is refused for Fashion-MNIST (eval and train --init) with the shapes named", async () => {
  const small = join(work, "ten-by-ten.safetensors");
  await writeFile(small, encodeModel(model(10, 10, 10)));
  const message = /^softmax: error: .*ten-by-ten\.safetensors: the model takes 100 inputs \(10 × 10 images\) but the data has 784 per example; use a model trained on this data set\n$/;
  await expectError(["eval", "--model", small, "--offline"], 1, message);
  await expectError(["train", "--init", small, "--epochs", "1", "--out", join(work, "never"), "--offline"], 1, message);
});

test("train: --threads 1 or auto on any autograd path, a count on autograd over wasm-relaxed-simd and with --trainer fused pass the flag checks (on to --out's)", async () => {
  // The trainer flags are checked before the paths: a run that reaches the --out check accepted them.
  const file = join(work, "a-file");
  await writeFile(file, "x");
  const flagSets = [
    ["--trainer", "autograd", "--threads", "1"], ["--softmax", "naive", "--threads", "auto"], ["--trainer", "fused", "--threads", "4"],
    ["--trainer", "autograd", "--threads", "2"], ["--kernels", "ref", "--threads", "auto"],
  ];
  for (const flags of flagSets) {
    await expectError(["train", ...flags, "--out", file], 2, /^softmax train: --out .*a-file: exists and is not a folder; expected a folder for the run's files\n$/);
  }
});

test("train: a loss that stops being finite exits 1 with the engine's message naming epoch and batch; no run folder", async () => {
  const out = join(work, "diverged");
  const run = await softmax(["train", "--lr", "1e6", "--softmax", "naive", "--epochs", "1", "--out", out, "--offline", "--kernels", "ref"], cache);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^softmax: error: training stopped: the loss is (NaN|-?Infinity) at epoch 1, batch \d+ \(both counted from 1\)\. .*lower the learning rate/);
  assert.equal(run.stderr.split("\n").length, 2);
  assert.match(run.stdout, /^Fashion-MNIST: .*\ntraining 1 epoch: lr 1000000, batch size 256, seed 0, naive softmax\nkernels ref · trainer autograd · 1 thread\n$/);
  await assert.rejects(stat(out), /ENOENT/);

  // The fused trainer (the default): the stable loss needs a larger step to overflow.
  const fusedOut = join(work, "diverged-fused");
  const fused = await softmax(["train", "--lr", "1e38", "--epochs", "1", "--out", fusedOut, "--offline"], cache);
  assert.equal(fused.code, 1, fused.stderr);
  assert.match(fused.stderr, /^softmax: error: training stopped: the loss is (NaN|-?Infinity) at epoch 1, batch \d+ \(both counted from 1\)\. .*lower the learning rate/);
  assert.equal(fused.stderr.split("\n").length, 2);
  assert.match(fused.stdout, /\ntraining 1 epoch: lr 1e\+38, .*\nkernels wasm-relaxed-simd · trainer fused · \d threads?\n$/);
  await assert.rejects(stat(fusedOut), /ENOENT/);
});

test("predict: a file that is not a PNG exits 1 naming it and what was expected", async () => {
  const fake = join(work, "photo.png");
  await writeFile(fake, "%PDF-1.7 not an image");
  await expectError(["predict", "--model", good, fake], 1, /^softmax: error: .*photo\.png: not a PNG image \(it starts with bytes 25 50 44 46 2d 31 2e 37; a PNG starts with 89 50 4e 47 0d 0a 1a 0a\); predict reads PNG files\n$/);
  const damaged = join(work, "damaged.png");
  await writeFile(damaged, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13));
  await expectError(["predict", "--model", good, damaged], 1, /^softmax: error: .*damaged\.png: could not decode the PNG \(.+\); the file is damaged or truncated\n$/);
});

test("help: every command's --help shows usage, options and examples; predict's says how PNGs are converted", async () => {
  for (const command of ["train", "eval", "predict", "show"]) {
    const run = await softmax([command, "--help"], cache);
    assert.equal(run.code, 0);
    assert.match(run.stdout, new RegExp(`^softmax ${command} — .+\\n\\nUsage: softmax ${command} \\[options\\]`));
    assert.match(run.stdout, new RegExp(`\\nExamples:\\n {2}softmax ${command}`));
  }
  const train = await softmax(["help", "train"], cache);
  assert.match(train.stdout, /--epochs N +Passes over the training set \(default: 10\)/);
  assert.match(train.stdout, /--softmax KIND +stable: .+ \(one of: stable, naive; default: stable\)/);
  assert.match(train.stdout, /--trainer PATH +fused .+ \(one of: auto, autograd, fused; default: auto\)/);
  assert.match(train.stdout, /--threads N +Threads: the fused trainer.s, or those the autograd path splits each batch across .+; 1 to 4, or auto .+ \(default: auto\)/);
  assert.match(train.stdout, /\n {2}softmax train --trainer autograd\n/);
  const predict = await softmax(["predict", "--help"], cache);
  assert.match(predict.stdout, /Rec\. 601: 0\.299 R \+ 0\.587 G \+ 0\.114 B/);
  assert.match(predict.stdout, /alpha\s+composited on white, inverted if the background is light \(decided by the mean of the border pixels/);
  assert.match(predict.stdout, /area-averaged \(box filter\) to the model's rows × cols/);
  assert.match(predict.stdout, /Exit codes: 0 ok; 1 an input file that is not a readable PNG/);
});

test("softmax train | head: a reader that goes away ends the command quietly (exit 0, no EPIPE trace)", async () => {
  const child = spawnSoftmax(["train", "--epochs", "3", "--out", join(work, "closed-pipe")], cache);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // Read the first output, then close our end of the pipe, as `head -1` does.
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|at /);
});
