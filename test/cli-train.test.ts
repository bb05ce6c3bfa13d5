// `softmax train`, `eval` and `predict --index` end to end on the real Fashion-MNIST, as child processes,
// on both training paths (the fused default and --trainer autograd): the run folder's files, eval
// reproducing the recorded accuracy, --init + --no-shuffle determinism (any thread count), Ctrl-C saving
// the completed epochs, --verbose phase timings, and an IDX data set of another image size and class count.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decode } from "fast-png";
import { loadModel } from "../src/io/files.ts";
import { RUN_FILES } from "../src/io/runFolder.ts";
import { FASHION_MNIST_LABELS } from "../src/data/datasets.ts";
import { softmax, spawnSoftmax } from "./helpers/cli-run.ts";
import type { CliRun } from "./helpers/cli-run.ts";
import { makeIdxSet, writeIdxSet } from "./helpers/data-fixtures.ts";

let work: string; // temp folder: the private cache and every run folder
let cache: string;
let run: string; // the shared 2-epoch run (default trainer: fused)
let trainOutput: string;
let autogradRun: string; // a shared 1-epoch run with --trainer autograd

before(async () => {
  work = await mkdtemp(join(tmpdir(), "softmax-cli-train-"));
  cache = join(work, "cache");
  run = join(work, "run");
  autogradRun = join(work, "autograd-run");
  const [result, autograd] = await Promise.all([
    softmax(["train", "--epochs", "2", "--out", run, "--offline"], cache),
    softmax(["train", "--epochs", "1", "--out", autogradRun, "--offline", "--trainer", "autograd"], cache),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(autograd.code, 0, autograd.stderr);
  assert.match(autograd.stdout, /\ntraining 1 epoch: .*\nkernels wasm-relaxed-simd · trainer autograd · \d threads?\n/);
  trainOutput = result.stdout;
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

function parseMetrics(csv: string): { header: string; rows: string[][] } {
  const [header = "", ...lines] = csv.trim().split("\n");
  return { header, rows: lines.map((l) => l.split(",")) };
}

function pngSize(bytes: Uint8Array): [number, number] {
  const png = decode(bytes);
  return [png.width, png.height];
}

test("softmax train: prints one line per epoch, the final metrics and the run folder", () => {
  const lines = trainOutput.trim().split("\n");
  assert.equal(lines[0], "Fashion-MNIST: 60,000 train and 10,000 test images of 28 × 28 px, 10 classes");
  assert.match(lines[1] ?? "", /^training 2 epochs: lr 0\.1, batch size 256, seed 0, stable softmax$/);
  assert.match(lines[2] ?? "", /^kernels wasm-relaxed-simd · trainer fused · \d threads?$/);
  assert.match(lines[3] ?? "", /^epoch 1\/2 {2}train loss \d\.\d{4} {2}train acc \d\.\d{4} {2}test acc \d\.\d{4} {2}\d+\.\d s$/);
  assert.match(lines[4] ?? "", /^epoch 2\/2 /);
  assert.match(trainOutput, /\nfinal \(epoch 2\): train loss \d\.\d{4} {2}train acc \d\.\d{4} {2}test acc \d\.\d{4}/);
  assert.match(trainOutput, /\nchapter checks: train loss < 0\.5 [✓✗], train acc > 0\.7 ✓, test acc > 0\.7 ✓\n/);
  assert.ok(trainOutput.includes(`run folder: ${run}/`), trainOutput);
});

test("softmax train: writes every file of the run folder; PNGs decode to their sizes; CSVs and model agree", async () => {
  for (const name of RUN_FILES) assert.ok((await stat(join(run, name))).size > 0, name);

  const metrics = parseMetrics(await readFile(join(run, "metrics.csv"), "utf8"));
  assert.equal(metrics.header, "epoch,train_loss,train_acc,test_acc,seconds");
  assert.deepEqual(metrics.rows.map((r) => r[0]), ["1", "2"]);
  for (const row of metrics.rows) {
    const [, loss, trainAcc, testAcc, seconds] = row.map(Number) as [number, number, number, number, number];
    assert.ok(loss > 0.3 && loss < 1, `train loss ${loss}`);
    assert.ok(trainAcc > 0.7 && trainAcc < 0.9 && testAcc > 0.7 && testAcc < 0.9, row.join());
    assert.ok(seconds > 0);
  }
  const lastTestAcc = metrics.rows[1]?.[3] ?? "";

  // Curves at twice the SVG's size; the 2 × 9 predictions grid and the 2 × 5 weight templates (84-px cells) at 2×.
  const svg = await readFile(join(run, "curves.svg"), "utf8");
  const [, w, h] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
  assert.deepEqual(pngSize(await readFile(join(run, "curves.png"))), [2 * Number(w), 2 * Number(h)]);
  assert.deepEqual(pngSize(await readFile(join(run, "predictions.png"))), [1704, 520]);
  assert.deepEqual(pngSize(await readFile(join(run, "weights.png"))), [1092, 464]);

  const model = await loadModel(join(run, "model.safetensors"));
  assert.deepEqual(model.classNames, [...FASHION_MNIST_LABELS]);
  assert.deepEqual(model.inputShape, [28, 28]);
  assert.equal(model.inputs, 784);
  assert.equal(model.classes, 10);
  assert.equal(model.training["epochs"], 2);
  assert.equal(model.training["lr"], 0.1);
  assert.equal(model.training["batchSize"], 256);
  assert.equal(model.training["softmax"], "stable");
  assert.equal(model.training["interrupted"], false);
  assert.equal(model.training["trainer"], "fused");
  assert.equal(String(model.metrics["testAcc"]), lastTestAcc);

  const confusion = (await readFile(join(run, "confusion.csv"), "utf8")).trim().split("\n").map((l) => l.split(","));
  assert.deepEqual(confusion[0], ["true\\predicted", ...FASHION_MNIST_LABELS]);
  const body = confusion.slice(1);
  assert.deepEqual(body.map((r) => r[0]), [...FASHION_MNIST_LABELS]);
  body.forEach((r) => assert.equal(r.slice(1).map(Number).reduce((a, b) => a + b, 0), 1000));
  const diagonal = body.reduce((sum, r, k) => sum + Number(r[k + 1]), 0);
  assert.equal(String(diagonal / 10000), lastTestAcc);
});

test("softmax train: report.html is self-contained: no external references, images embedded, no scripts", async () => {
  const html = await readFile(join(run, "report.html"), "utf8");
  const withoutXmlns = html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "");
  assert.doesNotMatch(withoutXmlns, /https?:\/\//);
  assert.doesNotMatch(html, /<script|<link|@import|url\(/i);
  assert.match(html, /<svg [^>]*>[\s\S]*train loss[\s\S]*<\/svg>/); // the curves, inline
  assert.equal(html.match(/<img src="data:image\/png;base64,/g)?.length, 2); // predictions and weights
  assert.match(html, /Test accuracy/);
  assert.match(html, /Confusion matrix/);
  for (const name of FASHION_MNIST_LABELS) assert.ok(html.includes(`>${name}<`), name);
  assert.doesNotMatch(html, /Interrupted/);
});

/** eval prints exactly the last test accuracy of the run's metrics.csv, and predict --index agrees with eval's predictions. */
async function checkEvalReproduces(run: string): Promise<void> {
  const metrics = parseMetrics(await readFile(join(run, "metrics.csv"), "utf8"));
  const recorded = metrics.rows.at(-1)?.[3] ?? "";
  const modelFile = join(run, "model.safetensors");
  const text = await softmax(["eval", "--model", modelFile, "--offline"], cache);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(text.stdout.includes(`\naccuracy  ${recorded}  (`), text.stdout);
  assert.match(text.stdout, /= the test accuracy recorded at training/);
  assert.match(text.stdout, /\n {2}class +accuracy +correct\n {2}0 t-shirt +\d+\.\d% +\d+ \/ 1,000\n/);
  assert.match(text.stdout, /\n {2}true \\ predicted +0 +1 +2 +3 +4 +5 +6 +7 +8 +9\n {2}0 t-shirt +\d+/);

  const json = await softmax(["eval", "--model", modelFile, "--offline", "--json"], cache);
  assert.equal(json.code, 0, json.stderr);
  const evaluation = JSON.parse(json.stdout) as { accuracy: number; predictions: number[]; confusion: number[][]; kernels: string };
  assert.equal(String(evaluation.accuracy), recorded);
  // By default eval uses the kernels the model was trained with.
  assert.equal(evaluation.kernels, (await loadModel(modelFile)).training["kernels"]);
  assert.equal(evaluation.predictions.length, 10000);

  const indices = [0, 1, 2, 3, 12, 17, 23, 42, 255, 256, 9999];
  const predicted = await softmax(["predict", "--model", modelFile, "--offline", "--json", "--index", indices.join(",")], cache);
  assert.equal(predicted.code, 0, predicted.stderr);
  const lines = predicted.stdout.trim().split("\n").map((l) => JSON.parse(l) as { index: number; trueClass: number; correct: boolean; top: { class: number; name: string; probability: number }[] });
  assert.deepEqual(lines.map((l) => l.index), indices);
  for (const line of lines) {
    assert.equal(line.top.length, 3);
    assert.equal(line.top[0]?.class, evaluation.predictions[line.index], `test image ${line.index}`);
    assert.equal(line.correct, line.trueClass === line.top[0]?.class);
    const p = line.top.map((t) => t.probability);
    assert.ok(p[0]! >= p[1]! && p[1]! >= p[2]! && p[0]! <= 1 && p[2]! >= 0, p.join());
  }
  assert.ok(lines.some((l) => !l.correct), "the sample includes a mistake, so agreement is checked on one too");
}

test("softmax eval: prints exactly the test accuracy of metrics.csv of a fused run; predict --index agrees with eval's predictions", async () => {
  assert.equal((await loadModel(join(run, "model.safetensors"))).training["trainer"], "fused");
  await checkEvalReproduces(run);
});

test("softmax eval: prints exactly the test accuracy of metrics.csv of an autograd run; predict --index agrees with eval's predictions", async () => {
  assert.equal((await loadModel(join(autogradRun, "model.safetensors"))).training["trainer"], "autograd");
  await checkEvalReproduces(autogradRun);
});

const rowsOf = async (dir: string) => parseMetrics(await readFile(join(dir, "metrics.csv"), "utf8")).rows.map((r) => r.slice(0, 4));

test("softmax train --init MODEL --no-shuffle (autograd): two runs give identical metrics and weights, starting from the model", async () => {
  const init = join(run, "model.safetensors");
  // The reference kernels here (so --trainer auto takes the autograd path; the shared run was fused).
  const a = await softmax(["train", "--epochs", "1", "--init", init, "--no-shuffle", "--out", join(work, "init-a"), "--offline", "--kernels", "ref"], cache);
  const b = await softmax(["train", "--epochs", "1", "--init", init, "--no-shuffle", "--out", join(work, "init-b"), "--offline", "--kernels", "ref", "--seed", "7"], cache);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const rowsA = await rowsOf(join(work, "init-a"));
  assert.deepEqual(rowsA, await rowsOf(join(work, "init-b")));
  const modelA = await loadModel(join(work, "init-a", "model.safetensors"));
  const modelB = await loadModel(join(work, "init-b", "model.safetensors"));
  assert.deepEqual(modelA.W, modelB.W);
  assert.deepEqual(modelA.b, modelB.b);
  assert.equal(modelA.training["init"], init);
  assert.equal(modelA.training["shuffle"], false);
  assert.equal(modelA.training["kernels"], "ref");
  assert.equal(modelA.training["trainer"], "autograd");
  // Continuing from two epochs: the first epoch's loss is already below a fresh start's first epoch.
  const fresh = parseMetrics(await readFile(join(run, "metrics.csv"), "utf8")).rows;
  assert.ok(Number(rowsA[0]?.[1]) < Number(fresh[0]?.[1]), `${rowsA[0]?.[1]} vs ${fresh[0]?.[1]}`);
});

let fusedInit: { a: CliRun; b: CliRun } | undefined;

test("softmax train --init MODEL --no-shuffle (fused): on 1 and on 2 threads, with other seeds, identical metrics and weights", async () => {
  const init = join(run, "model.safetensors");
  const common = ["train", "--epochs", "1", "--init", init, "--no-shuffle", "--offline"];
  const [a, b] = await Promise.all([
    softmax([...common, "--out", join(work, "fused-a"), "--threads", "1", "--verbose"], cache),
    softmax([...common, "--out", join(work, "fused-b"), "--threads", "2", "--seed", "7"], cache),
  ]);
  fusedInit = { a, b };
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(a.stdout, /\ntraining 1 epoch: .*, no shuffle, from .*\nkernels wasm-relaxed-simd · trainer fused · 1 thread\n/);
  assert.match(b.stdout, /\nkernels wasm-relaxed-simd · trainer fused · 2 threads\n/);
  const rowsA = await rowsOf(join(work, "fused-a"));
  assert.deepEqual(rowsA, await rowsOf(join(work, "fused-b")));
  const modelA = await loadModel(join(work, "fused-a", "model.safetensors"));
  const modelB = await loadModel(join(work, "fused-b", "model.safetensors"));
  assert.deepEqual(modelA.W, modelB.W);
  assert.deepEqual(modelA.b, modelB.b);
  assert.deepEqual([modelA.training["trainer"], modelA.training["threads"], modelB.training["threads"]], ["fused", 1, 2]);
  assert.equal(modelA.training["init"], init);
  const fresh = parseMetrics(await readFile(join(run, "metrics.csv"), "utf8")).rows;
  assert.ok(Number(rowsA[0]?.[1]) < Number(fresh[0]?.[1]), `${rowsA[0]?.[1]} vs ${fresh[0]?.[1]}`);
  // The report's settings say which path trained and on how many threads.
  const fusedReport = await readFile(join(work, "fused-b", "report.html"), "utf8");
  assert.match(fusedReport, /fused WebAssembly trainer \(analytic gradients, 2 threads\)/);
  // The resident trainer's build: Node 20 gets relaxed SIMD through nodeThreads, so the products fuse.
  assert.match(fusedReport, /<th>kernels<\/th><td>wasm-relaxed-simd \(WebAssembly SIMD, fused multiply-add\)<\/td>/);
});

test("softmax train --trainer autograd --threads 2: each batch on 2 threads gives the 1-thread run's metrics and weights", async () => {
  const common = ["train", "--epochs", "1", "--trainer", "autograd", "--softmax", "naive", "--offline"];
  const [a, b] = await Promise.all([
    softmax([...common, "--out", join(work, "autograd-a"), "--threads", "1"], cache),
    softmax([...common, "--out", join(work, "autograd-b"), "--threads", "2"], cache),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(a.stdout, /\nkernels wasm-relaxed-simd · trainer autograd · 1 thread\n/);
  assert.match(b.stdout, /\nkernels wasm-relaxed-simd · trainer autograd · 2 threads\n/);
  assert.deepEqual(await rowsOf(join(work, "autograd-a")), await rowsOf(join(work, "autograd-b")));
  const [modelA, modelB] = await Promise.all([loadModel(join(work, "autograd-a", "model.safetensors")), loadModel(join(work, "autograd-b", "model.safetensors"))]);
  assert.deepEqual(modelA.W, modelB.W);
  assert.deepEqual([modelA.training["threads"], modelB.training["threads"]], [1, 2]);
  assert.match(await readFile(join(work, "autograd-b", "report.html"), "utf8"), /through autograd \(train\(\) \+ sgd, the step captured; each batch on 2 threads\)/);
});

test("softmax train --verbose: stderr ends with every phase and its milliseconds, and the fused trainer's phases per thread", () => {
  assert.ok(fusedInit, "runs in the test above");
  const { stderr } = fusedInit.a;
  assert.equal(fusedInit.b.stderr, "", "without --verbose nothing is printed to stderr");
  const phases = [
    "start-up (process start to the command: module loading)",
    "kernel selection + WASM instantiation (main thread)",
    "training thread spawn",
    "data: locate + load",
    "initial weights",
    "training thread (job sent to its last message)",
    "start-up (module loading; spawned before the data loads, so overlapping it)",
    "waiting for the job (the main thread loading the data)",
    "kernel selection + WASM instantiation",
    "fused trainer: WASM compile + instantiation",
    "fused trainer: upload of the data set",
    "fused trainer: helper threads start-up",
    "training (1 epoch, Σ)",
    "evaluations (test set after each epoch, Σ)",
    "final evaluation (predictions, confusion matrix)",
    ...RUN_FILES.map((name) => `write ${name}`),
    "total (wall clock, from process start)",
  ];
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const phase of phases) assert.match(stderr, new RegExp(`\n {2,}${escape(phase)}.* +\\d+\\.\\d ms\n`), phase);
  const total = Number(/total \(wall clock, from process start\) +(\d+\.\d) ms/.exec(stderr)?.[1]);
  assert.ok(total > 0, stderr);
  assert.match(stderr, /\n {2,}gather +forward +loss +gradient +wait +update +evaluate\n {2}thread 0 +(\d+\.\d ms +){6}\d+\.\d ms\n$/);
});

for (const trainer of ["fused", "autograd"] as const) {
  test(`softmax train --trainer ${trainer}: Ctrl-C (SIGINT) after the first epoch saves the completed epochs and exits 130`, async () => {
    const out = join(work, `interrupted-${trainer}`);
    // The fused trainer runs an epoch in about 0.1 s: enough epochs that the signal arrives during training.
    const epochs = trainer === "fused" ? 60 : 5;
    const child = spawnSoftmax(["train", "--epochs", String(epochs), "--out", out, "--offline", "--trainer", trainer], cache);
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && new RegExp(`^epoch +1/${epochs} `, "m").test(stdout)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /(^|\n)interrupt: stopping after the current batch to save the run \(Ctrl-C again to abort\)\n/);
    const model = await loadModel(join(out, "model.safetensors"));
    const completed = model.training["epochsCompleted"] as number;
    assert.ok(completed >= 1 && completed < epochs, `completed ${completed}`);
    assert.equal(model.training["interrupted"], true);
    assert.equal(model.training["trainer"], trainer);
    const where = `(in epoch ${completed + 1} of ${epochs} \\(after batch (\\d+)\\)|after epoch ${completed} of ${epochs})`;
    const said = new RegExp(`\\ninterrupted ${where}: saved the run for the ${completed} completed epochs?\\n`).exec(stdout);
    assert.ok(said, stdout);
    // The fused trainer stops at the end of a group of 16 batches (it has trained the whole group).
    if (trainer === "fused" && said[2] !== undefined) assert.ok(Number(said[2]) % 16 === 0 || said[2] === "235", `after batch ${said[2]}`);
    const metrics = parseMetrics(await readFile(join(out, "metrics.csv"), "utf8"));
    assert.equal(metrics.rows.length, completed);
    assert.equal(String(model.metrics["testAcc"]), metrics.rows.at(-1)?.[3]);
    const html = await readFile(join(out, "report.html"), "utf8");
    assert.match(html, new RegExp(`Interrupted\\.</strong> Training was stopped with Ctrl-C (during epoch ${completed + 1} of ${epochs} \\(after batch \\d+\\)|after epoch ${completed} of ${epochs})\\. The model and this report hold the ${completed} completed epochs?`));
    for (const name of RUN_FILES) assert.ok((await stat(join(out, name))).size > 0, name);
  });
}

test("softmax train --data DIR: an IDX data set of 12 × 8 images and 3 classes trains as is, classes named 0..2", async () => {
  const data = join(work, "small-idx");
  await writeIdxSet(data, makeIdxSet({ nTrain: 300, nTest: 60, rows: 12, cols: 8, numClasses: 3 }), { gzip: true });
  const out = join(work, "small-run");
  const result = await softmax(["train", "--data", data, "--epochs", "2", "--batch-size", "32", "--out", out, "--json"], cache);
  assert.equal(result.code, 0, result.stderr);
  const events = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(events.map((e) => e["event"]), ["start", "epoch", "epoch", "summary"]);
  assert.equal(events[0]?.["rows"], 12);
  assert.equal(events[0]?.["classes"], 3);
  assert.equal(events[3]?.["runFolder"], out);
  const model = await loadModel(join(out, "model.safetensors"));
  assert.deepEqual(model.inputShape, [12, 8]);
  assert.deepEqual(model.classNames, ["0", "1", "2"]);
  for (const name of RUN_FILES) assert.ok((await stat(join(out, name))).size > 0, name);
  const confusion = (await readFile(join(out, "confusion.csv"), "utf8")).split("\n")[0];
  assert.equal(confusion, "true\\predicted,0,1,2");
  // eval finds the data through the folder recorded in the model, and agrees with the last epoch.
  const evaluation = await softmax(["eval", "--model", join(out, "model.safetensors"), "--json"], cache);
  assert.equal(evaluation.code, 0, evaluation.stderr);
  assert.equal((JSON.parse(evaluation.stdout) as { accuracy: number }).accuracy, events[2]?.["testAcc"]);
});
