// The WebAssembly kernels beyond the shared parity suite: the feature probe and selection, the loader's
// error when the module is not built, exact pixel scaling, and the resident trainer on small data
// (thread count does not change a bit; equal to the fused reference path within float32 rounding).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, describe, test } from "node:test";
import { DataIter } from "../src/data/iterator.ts";
import { getKernels, setKernels } from "../src/kernels/current.ts";
import { ref } from "../src/kernels/ref.ts";
import { selectKernels } from "../src/kernels/select.ts";
import { defaultWasmUrl, loadWasmModule, WasmNotBuiltError } from "../src/kernels/wasm/load.ts";
import { nodeThreads } from "../src/kernels/wasm/nodeThreads.ts";
import type { HelperTeam, ThreadHost } from "../src/kernels/wasm/threads.ts";
import { createKernelsInstance } from "../src/kernels/wasm/module.ts";
import { createWasmKernels } from "../src/kernels/wasm/wasmKernels.ts";
import { probeRelaxedSimd, probeSharedMemory, probeSimd } from "../src/kernels/wasm/probe.ts";
import { ResidentTrainer } from "../src/kernels/wasm/resident.ts";
import { pixelScale } from "../src/kernels/wasm/scale.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Rng } from "../src/tensor/random.ts";
import { evaluateAccuracy } from "../src/train/evaluate.ts";
import { evaluateSplit } from "../src/train/evaluateSplit.ts";
import { fusedEvaluateAccuracy, fusedTrainEpoch } from "../src/train/fused.ts";
import { NonFiniteLossError } from "../src/train/nonFiniteLoss.ts";
import { WasmTrainer } from "../src/train/wasmTrainer.ts";
import { allClose, TOL } from "./helpers/allclose.ts";
import { byteExamples } from "./helpers/byte-examples.ts";

const scratch = await mkdtemp(join(tmpdir(), "softmax-wasm-test-"));
after(() => rm(scratch, { recursive: true, force: true }));

describe("kernel selection", () => {
  test("the probe finds SIMD and shared memory in Node 20, and relaxed SIMD once the Node thread host enables it", () => {
    assert.deepEqual(probeSimd(), { ok: true, reason: "WebAssembly SIMD is available" });
    assert.equal(probeSharedMemory().ok, true);
    nodeThreads.enableFeatures?.();
    assert.deepEqual(probeRelaxedSimd(), { ok: true, reason: "WebAssembly relaxed SIMD is available" });
  });

  test('"ref" gives the reference loops, "auto" and "wasm" the SIMD set (fused multiply-add where relaxed SIMD runs), each with its reason', async () => {
    const forced = await selectKernels("ref");
    assert.equal(forced.kernels, ref);
    assert.match(forced.reason, /reference kernels were asked for/);
    const auto = await selectKernels("auto", { host: nodeThreads });
    assert.equal(auto.kernels.name, "wasm-relaxed-simd");
    assert.equal(auto.reason, "WebAssembly SIMD is available, with relaxed SIMD's fused multiply-add");
    assert.equal((await selectKernels("wasm")).kernels.name, "wasm-relaxed-simd");
    const plain = await selectKernels("wasm", { fused: false });
    assert.equal(plain.kernels.name, "wasm-simd");
    assert.equal(plain.reason, "WebAssembly SIMD is available");
    assert.equal((await selectKernels("wasm", { wasm: defaultWasmUrl("simd") })).kernels.name, "wasm-simd", "a module given is the plain build");
    await assert.rejects(selectKernels("fast" as "auto"), /unknown choice "fast"/);
  });

  test("the fused set rounds its products once per multiply-add: it differs from the plain set in the last bits, within float32 rounding", async () => {
    const fused = (await selectKernels("wasm")).kernels, plain = (await selectKernels("wasm", { fused: false })).kernels;
    const rng = new Rng(5);
    const m = 64, k = 784, n = 10;
    const a = Float32Array.from({ length: m * k }, () => rng.uniform()), b = Float32Array.from({ length: k * n }, () => rng.normal(0, 0.01));
    const outs = [fused, plain].map((kernels) => {
      const out = new Float32Array(m * n);
      kernels.matmul(a, b, out, m, k, n);
      return out;
    });
    assert.notDeepEqual(outs[0], outs[1]);
    allClose(outs[0]!, outs[1]!, TOL.reordered, "fused vs plain");
  });

  test("a missing module: the loader names the file and says to run npm run build; auto falls back to ref saying so", async () => {
    const missing = join(scratch, "no-such-dir", "kernels-simd.wasm");
    await assert.rejects(loadWasmModule("simd", missing), (error: unknown) => {
      assert.ok(error instanceof WasmNotBuiltError);
      assert.equal(error.path, missing);
      assert.match(error.message, new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is missing`));
      assert.match(error.message, /npm run build/);
      return true;
    });
    await assert.rejects(selectKernels("wasm", { wasm: missing }), WasmNotBuiltError);
    const auto = await selectKernels("auto", { wasm: missing });
    assert.equal(auto.kernels, ref);
    assert.match(auto.reason, /npm run build.*using the reference kernels/);
  });

  test("over HTTP (the browser's way): the module is fetched and compiled; a 404 names the URL and says to build", async (t) => {
    const bytes = await readFile(defaultWasmUrl("simd"));
    const server = createServer((request, response) => {
      if (request.url === "/kernels-simd.wasm") response.writeHead(200, { "content-type": "application/wasm" }).end(bytes);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const module = await loadWasmModule("simd", new URL("/kernels-simd.wasm", base));
    assert.ok(WebAssembly.Module.exports(module).some((e) => e.name === "dotRows"));
    const { kernels } = await selectKernels("wasm", { wasm: `${base}/kernels-simd.wasm` });
    const out = new Float32Array(2);
    kernels.matmul(Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6), out, 2, 2, 1);
    assert.deepEqual([...out], [17, 39]);
    await assert.rejects(loadWasmModule("simd", `${base}/missing.wasm`), (error: unknown) => {
      assert.ok(error instanceof WasmNotBuiltError);
      assert.match(error.message, new RegExp(`${base}/missing.wasm is missing.*npm run build`));
      return true;
    });
  });
});

describe("pixel scaling", () => {
  test("every byte value gathers to exactly pixel / 255 in float32, as the reference does", async () => {
    const { kernels } = await selectKernels("wasm");
    assert.equal(pixelScale(1 / 255).exact64, false, "1/255 takes the fast float32 split");
    const src = Uint8Array.from({ length: 256 }, (_, p) => p);
    for (const [name, k] of [["wasm", kernels], ["ref", ref]] as const) {
      const out = new Float32Array(256);
      k.gatherRows(src, 16, Int32Array.from({ length: 16 }, (_, i) => 15 - i), 0, 16, 1 / 255, out);
      const expected = Array.from({ length: 256 }, (_, i) => Math.fround((((15 - (i >> 4)) << 4) | (i & 15)) / 255));
      allClose(out, expected, TOL.exact, name);
    }
  });

  test("a scale the float32 split cannot reproduce takes the float64 product, still exact", async () => {
    const { kernels } = await selectKernels("wasm");
    const src = Uint8Array.from({ length: 256 }, (_, p) => p);
    for (const scale of [1 / 3, 0.1, 1 / 7, 2.5e-5]) {
      const out = new Float32Array(256);
      kernels.gatherRows(src, 256, Int32Array.of(0), 0, 1, scale, out);
      allClose(out, Array.from(src, (p) => Math.fround(p * scale)), TOL.exact, `scale ${scale} (${pixelScale(scale).exact64 ? "float64" : "split"})`);
    }
  });
});

/** Shuffled batches of `n` examples (the last one partial), from a seeded permutation. */
function batchesOf(n: number, batchSize: number, seed: number): Int32Array[] {
  const order = new Rng(seed).shuffle(Uint32Array.from({ length: n }, (_, i) => i));
  const out: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) out.push(Int32Array.from(order.subarray(s, Math.min(s + batchSize, n))));
  return out;
}

describe("the resident trainer", () => {
  const inputs = 50, classes = 7, batchSize = 37;
  const train = byteExamples(301, inputs, classes, 1);
  const testSet = byteExamples(83, inputs, classes, 2);
  const model = (): SoftmaxRegression => new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(5) });

  async function run(threads: number, epochs: number) {
    const m = model();
    const trainer = await WasmTrainer.create(m, { train, test: testSet }, { lr: 0.5, batchSize, threads, host: nodeThreads });
    const history: number[][] = [];
    try {
      assert.equal(trainer.threads, threads, trainer.threadsReason);
      for (let e = 0; e < epochs; e++) history.push([...trainer.trainEpoch(batchesOf(train.n, batchSize, e), { epoch: e + 1 }), trainer.evaluateAccuracy()]);
    } finally {
      await trainer.close();
    }
    return { W: m.W.data, b: m.b.data, history };
  }

  test("1, 2 and 4 threads give bit-identical weights and metrics (4 fixed shards summed in order)", async () => {
    const one = await run(1, 3);
    for (const threads of [2, 4]) {
      const many = await run(threads, 3);
      allClose(many.W, one.W, TOL.exact, `W with ${threads} threads`);
      allClose(many.b, one.b, TOL.exact, `b with ${threads} threads`);
      assert.deepEqual(many.history, one.history);
    }
  });

  test("matches the fused reference path within float32 rounding, on odd sizes", async () => {
    const wasm = await run(2, 3);
    const m = model();
    const history: number[][] = [];
    for (let e = 0; e < 3; e++) {
      history.push([...fusedTrainEpoch(m, train, batchesOf(train.n, batchSize, e), { lr: 0.5, batchSize, epoch: e + 1 }), fusedEvaluateAccuracy(m, testSet)]);
    }
    // Sums run in other orders (SIMD lanes, shards) and the pixel scale is applied to the products:
    // each step differs by float32 roundings, which 3 epochs of SGD carry but do not amplify.
    allClose(wasm.W, m.W.data, TOL.reordered, "W");
    allClose(wasm.b, m.b.data, TOL.reordered, "b");
    allClose(wasm.history.map(([loss]) => loss!), history.map(([loss]) => loss!), TOL.reordered, "train loss");
    assert.deepEqual(wasm.history.map(([, trainAcc, testAcc]) => [trainAcc, testAcc]), history.map(([, trainAcc, testAcc]) => [trainAcc, testAcc]));
  });

  test("a diverging run stops with NonFiniteLossError naming the epoch and batch; the model keeps the last finite weights", async () => {
    const m = model();
    const trainer = await WasmTrainer.create(m, { train }, { lr: 1e38, batchSize, threads: 2, host: nodeThreads });
    try {
      assert.throws(() => trainer.trainEpoch(batchesOf(train.n, batchSize, 0), { epoch: 3 }), (error: unknown) => {
        assert.ok(error instanceof NonFiniteLossError);
        assert.equal(error.epoch, 3);
        assert.ok(error.batch >= 2, `batch ${error.batch}`);
        // The loss of the failing batch itself (its shards' set alternates with the batch's parity).
        assert.ok(!Number.isFinite(error.loss), `loss ${error.loss}`);
        return true;
      });
      assert.ok(m.W.data.every(Number.isFinite), "weights before the failing batch are finite");
    } finally {
      await trainer.close();
    }
  });

  test("batches reported one by one, in order, with the epoch's mean equal to the return value", async () => {
    const m = model();
    const trainer = await WasmTrainer.create(m, { train }, { lr: 0.5, batchSize, threads: 2, host: nodeThreads });
    try {
      const seen: number[] = [];
      let loss = 0;
      const [mean] = trainer.trainEpoch(batchesOf(train.n, batchSize, 0), {
        chunkBatches: 3,
        onBatchEnd: (metrics) => { seen.push(metrics.batch); loss += metrics.loss * metrics.size; },
      });
      assert.deepEqual(seen, Array.from({ length: Math.ceil(train.n / batchSize) }, (_, i) => i + 1));
      allClose([loss / train.n], [mean], TOL.float32);
      // A callback that throws (a stop request) ends the epoch after its group; the model keeps that group's
      // training and the threads stay usable.
      const before = Float32Array.from(m.W.data);
      const stop = new Error("stop");
      assert.throws(() => trainer.trainEpoch(batchesOf(train.n, batchSize, 1), { chunkBatches: 3, onBatchEnd: (x) => { if (x.batch === 2) throw stop; } }), stop);
      assert.ok(m.W.data.some((w, i) => w !== before[i]), "the first group's updates reached the model");
      assert.ok(Number.isFinite(trainer.trainEpoch(batchesOf(train.n, batchSize, 2))[0]));
    } finally {
      await trainer.close();
    }
  });

  test("rejects what it cannot train: a batch over batchSize, an index out of range, a label out of range, too many threads", async () => {
    const trainer = await ResidentTrainer.create({ train, inputs, classes, batchSize, threads: 1 });
    try {
      assert.throws(() => trainer.trainBatches([new Int32Array(batchSize + 1)], 0.1), /batch 1 has 38 examples, more than batchSize 37/);
      assert.throws(() => trainer.trainBatches([Int32Array.of(0, 301)], 0.1), /example index 301 is outside \[0, 301\)/);
    } finally {
      await trainer.close();
    }
    const bad = { ...train, labels: train.labels.map((l, i) => (i === 4 ? classes : l)) };
    await assert.rejects(ResidentTrainer.create({ train: bad, inputs, classes, batchSize }), /label 7 of example 4 is not a class index below 7/);
    await assert.rejects(ResidentTrainer.create({ train, inputs, classes, batchSize, threads: 5, host: nodeThreads }), /threads \(5\) must not exceed 4: each thread computes whole shards/);
  });

  test('"auto" threads: every core up to the shards with a host, one thread without a host or for tiny batches', async () => {
    const cases: [number, boolean, RegExp][] = [[256, true, /threads on \d+ cores|one thread: one core/], [256, false, /no thread host/], [16, true, /too small|one core/]];
    for (const [size, host, reason] of cases) {
      const trainer = await ResidentTrainer.create({ train, inputs, classes, batchSize: size, ...(host ? { host: nodeThreads } : {}) });
      try {
        assert.match(trainer.threadsReason, reason);
      } finally {
        await trainer.close();
      }
    }
  });
});

describe("the resident evaluation", () => {
  test("predicts bit for bit as the tensor path on the Kernels of its build (inputs a multiple of 4), near-ties included", async () => {
    const rows = 6, cols = 8, inputs = rows * cols, classes = 5;
    const data = byteExamples(3000, inputs, classes, 3);
    // Every label 0, so each prediction that flips between classes 0 and 1 changes the count.
    const test = { ...data, labels: new Uint8Array(data.n) };
    const m = new SoftmaxRegression({ numInputs: inputs, numOutputs: classes, rng: new Rng(9) });
    // Class 1's weights are class 0's moved by about an ulp, the others far below: which of 0 and 1 wins
    // is decided by the rounding of the sums, so any other summation order or scaling changes the count.
    const rng = new Rng(10);
    const W = m.W.data;
    for (let d = 0; d < inputs; d++) {
      W[d * classes] = Math.abs(W[d * classes]!);
      W[d * classes + 1] = Math.fround(W[d * classes]! * (1 + (rng.uniform() - 0.5) * 4e-7));
      for (let c = 2; c < classes; c++) W[d * classes + c] = -1;
    }
    const split = { ...test, rows, cols, numClasses: classes };
    const before = getKernels();
    try {
      for (const fused of [true, false]) {
        setKernels((await selectKernels("wasm", { fused })).kernels);
        const tensorPath = evaluateAccuracy(m.net, new DataIter(split, { batchSize: 37, shuffle: false }));
        const { predictions } = evaluateSplit(m.net, split, 37);
        assert.equal(evaluateAccuracy(m.net, new DataIter(split, { batchSize: 256, shuffle: false })), tensorPath, "any batch size");
        for (const threads of [1, 2]) {
          const trainer = await WasmTrainer.create(m, { train: data, test }, { lr: 0.1, batchSize: 256, threads, host: nodeThreads, fused });
          try {
            assert.equal(trainer.variant, fused ? "relaxed" : "threads");
            assert.equal(trainer.evaluationMatchesKernels, true);
            assert.equal(trainer.evaluateAccuracy(), tensorPath, `${fused ? "fused" : "plain"}, ${threads} threads`);
            // Every prediction, not only their count: what `softmax train` writes instead of a second pass.
            assert.deepEqual(trainer.testPredictions(), predictions, `${fused ? "fused" : "plain"}, ${threads} threads: predictions`);
          } finally {
            await trainer.close();
          }
        }
        // The case is sharp: the reference loops (float64 sums) already decide some near-ties otherwise.
        setKernels(ref);
        assert.notEqual(evaluateAccuracy(m.net, new DataIter(split, { batchSize: 37, shuffle: false })), tensorPath);
      }
      // A trainer of the other build does not claim to match.
      setKernels((await selectKernels("wasm")).kernels);
      const plain = await WasmTrainer.create(m, { train: data, test }, { lr: 0.1, batchSize: 256, threads: 1, host: nodeThreads, fused: false });
      try {
        assert.equal(plain.evaluationMatchesKernels, false);
      } finally {
        await plain.close();
      }
    } finally {
      setKernels(before);
    }
  });
});

describe("the training step's cross-entropy kernel", () => {
  /** The reference in float64: per row m, s = Σ exp(z − m), loss, softmax − onehot, and the first argmax. */
  function reference(z: Float32Array, labels: Int32Array, rows: number, cols: number) {
    const dlogits = new Float64Array(rows * cols), db = new Float64Array(cols);
    let loss = 0, correct = 0;
    for (let r = 0; r < rows; r++) {
      const row = Array.from(z.subarray(r * cols, (r + 1) * cols));
      const m = Math.max(...row);
      const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
      const label = labels[r]!;
      loss += Math.log(s) - (row[label]! - m);
      if (row.indexOf(m) === label) correct++;
      row.forEach((v, j) => {
        const g = Math.exp(v - m) / s - (j === label ? 1 : 0);
        dlogits[r * cols + j] = g;
        db[j] = db[j]! + g;
      });
    }
    return { dlogits, db, loss, correct };
  }

  async function run(variant: "simd" | "relaxed", z: Float32Array, labels: Int32Array, rows: number, cols: number) {
    nodeThreads.enableFeatures?.();
    const instance = await createKernelsInstance(await loadWasmModule(variant), { shared: variant === "relaxed" });
    const pz = instance.alloc((rows * cols + 4) * 4), py = instance.alloc(rows * 4), pd = instance.alloc(rows * cols * 4 + 16);
    const pdb = instance.alloc(((cols + 3) & ~3) * 4), stats = instance.alloc(16);
    instance.f32.set(z, pz >> 2);
    instance.i32.set(labels, py >> 2);
    // A guard value just after dlogits: the kernel must not write past the last row.
    instance.f32[(pd >> 2) + rows * cols] = 12345;
    instance.exports.crossEntropyStep(pz, py, pd, pdb, stats, rows, cols);
    return {
      dlogits: instance.f32.slice(pd >> 2, (pd >> 2) + rows * cols), db: instance.f32.slice(pdb >> 2, (pdb >> 2) + cols),
      loss: instance.f64[stats >> 3]!, correct: instance.i32[(stats >> 2) + 2]!, guard: instance.f32[(pd >> 2) + rows * cols],
    };
  }

  for (const [variant, rows, cols] of (["simd", "relaxed"] as const).flatMap((v) => [[1, 1], [7, 3], [3, 4], [5, 13], [70, 10], [130, 10]].map(([r, c]) => [v, r!, c!] as const))) {
    test(`${variant}, ${rows} × ${cols}: dlogits, db, the loss sum and the correct count match the float64 reference`, async () => {
      const rng = new Rng(rows * 100 + cols);
      const z = Float32Array.from({ length: rows * cols }, () => (rng.uniform() - 0.5) * 20);
      const labels = Int32Array.from({ length: rows }, () => Math.floor(rng.uniform() * cols));
      // Ties for the maximum: the first one is the prediction (a row predicting its label at its second
      // maximum must not count, one predicting it at the first must).
      if (cols > 2) {
        for (let r = 0; r < rows; r += 2) {
          const top = Math.max(...z.subarray(r * cols, (r + 1) * cols)) + 1;
          z[r * cols + 1] = top;
          z[r * cols + cols - 1] = top;
        }
      }
      const want = reference(z, labels, rows, cols);
      const got = await run(variant, z, labels, rows, cols);
      allClose(got.dlogits, want.dlogits, { rtol: 0, atol: 2e-7 }, "dlogits");
      allClose(got.db, want.db, { rtol: 0, atol: 2e-7 * rows }, "db");
      allClose([got.loss], [want.loss], { rtol: 1e-6, atol: 1e-6 }, "loss sum");
      assert.equal(got.correct, want.correct, "correct count");
      assert.equal(got.guard, 12345, "nothing written after the last row");
    });
  }

  test("a NaN logit makes the loss sum NaN (so training stops)", async () => {
    const z = Float32Array.of(0.5, Number.NaN, 1, 2, 3, 4);
    for (const variant of ["simd", "relaxed"] as const) {
      const got = await run(variant, z, Int32Array.of(0, 1), 2, 3);
      assert.ok(Number.isNaN(got.loss), variant);
    }
  });
});

describe("helper threads started ahead (nodeThreads.prestart)", () => {
  test("a trainer takes them: 2 threads train as without them, bit for bit", async () => {
    const data = byteExamples(600, 48, 5, 11);
    const run = async (prestart: boolean): Promise<Float32Array> => {
      if (prestart) nodeThreads.prestart(1);
      const m = new SoftmaxRegression({ numInputs: 48, numOutputs: 5, rng: new Rng(3) });
      const trainer = await WasmTrainer.create(m, { train: data }, { lr: 0.1, batchSize: 64, threads: 2, host: nodeThreads });
      try {
        assert.equal(trainer.threads, 2);
        trainer.trainEpoch(batchesOf(data.n, 64, 1));
      } finally {
        await trainer.close();
      }
      return m.W.data;
    };
    assert.deepEqual(await run(true), await run(false));
  });

  test("unused ones do not keep the process alive", async () => {
    const module = new URL("../src/kernels/wasm/nodeThreads.ts", import.meta.url).href;
    const code = `import(${JSON.stringify(module)}).then(({ nodeThreads }) => { nodeThreads.prestart(2); console.log("started"); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { timeout: 20_000 });
    assert.equal(stdout.trim(), "started");
  });
});

describe("batches gathered in the kernels' memory (matmulGathered, matmulAtBGathered)", () => {
  /** A uint8 table of `n` rows of `len` bytes, seeded. */
  function table(n: number, len: number, seed: number): Uint8Array {
    const rng = new Rng(seed);
    return Uint8Array.from({ length: n * len }, () => rng.int(256));
  }

  test("equal gatherRows + matmul / matmulAtB bit for bit: odd widths, 1 row, shared and changing batches, a table evicted", async () => {
    const k = (await selectKernels("wasm")).kernels;
    const rng = new Rng(21);
    const tables = [{ src: table(50, 37, 1), len: 37 }, { src: table(9, 4, 2), len: 4 }, { src: table(40, 785, 3), len: 785 }];
    // 65 and 150 rows: the weight gradient is summed by shards of 64 rows, then the shards are added in order.
    const cases: [number, number, number][] = [[0, 7, 3], [0, 1, 1], [1, 5, 10], [2, 33, 10], [0, 7, 3], [2, 1, 2], [1, 9, 1], [0, 65, 3], [2, 150, 10]];
    for (const [t, count, n] of cases) {
      const { src, len } = tables[t]!;
      const rows = Uint32Array.from({ length: count + 3 }, () => rng.int(src.length / len));
      const x = { src, rowLength: len, rows, start: 2, count, scale: 1 / 255 };
      const floats = new Float32Array(count * len);
      k.gatherRows(src, len, rows, 2, count, 1 / 255, floats);
      const b = Float32Array.from({ length: len * n }, () => rng.normal(0, 1));
      const g = Float32Array.from({ length: count * n }, () => rng.normal(0, 1));
      const want = new Float32Array(count * n), got = new Float32Array(count * n);
      k.matmul(floats, b, want, count, len, n);
      k.matmulGathered!(x, b, got, n);
      assert.deepEqual(got, want, `X·b, table ${t}, ${count} rows`);
      const wantT = new Float32Array(len * n), gotT = new Float32Array(len * n);
      k.matmulAtB(floats, g, wantT, count, len, n);
      k.matmulAtBGathered!(x, g, gotT, n);
      assert.deepEqual(gotT, wantT, `Xᵀ·g, table ${t}, ${count} rows`);
      // Asked again after another batch was gathered, the first batch is gathered again, not stale.
      k.matmulGathered!({ ...x, start: 0 }, b, new Float32Array(count * n), n);
      k.matmulAtBGathered!(x, g, gotT, n);
      assert.deepEqual(gotT, wantT, `Xᵀ·g again, table ${t}`);
    }
  });

  test("on 2 and 3 threads they give one thread's results bit for bit: 1 to 300 rows, odd widths, 1 to 10 columns", async () => {
    const selections = await Promise.all([1, 2, 3].map((threads) => selectKernels("wasm", { host: nodeThreads, threads })));
    try {
      assert.deepEqual(selections.map((s) => s.threads), [1, 2, 3]);
      assert.match(selections[1]!.reason, /products on 2 threads were asked for/);
      const rng = new Rng(5);
      const tables = [{ src: table(400, 785, 6), len: 785 }, { src: table(300, 37, 7), len: 37 }];
      for (const [t, count, n] of [[0, 1, 10], [0, 33, 3], [1, 64, 1], [1, 65, 10], [0, 129, 2], [0, 256, 10], [1, 300, 7]] as const) {
        const { src, len } = tables[t]!;
        const x = { src, rowLength: len, rows: Uint32Array.from({ length: count }, () => rng.int(src.length / len)), start: 0, count, scale: 1 / 255 };
        const b = Float32Array.from({ length: len * n }, () => rng.normal(0, 1));
        const g = Float32Array.from({ length: count * n }, () => rng.normal(0, 1));
        const results = selections.map(({ kernels }) => {
          const out = new Float32Array(count * n), outT = new Float32Array(len * n);
          kernels.matmulGathered!(x, b, out, n);
          kernels.matmulAtBGathered!(x, g, outT, n);
          return [out, outT];
        });
        assert.deepEqual(results[1], results[0], `2 threads, ${count} rows of ${len}, ${n} columns`);
        assert.deepEqual(results[2], results[0], `3 threads, ${count} rows of ${len}, ${n} columns`);
      }
    } finally {
      await Promise.all(selections.map((s) => s.close()));
    }
  });

  // With a timeout: waiting for such a helper would hang the suite instead of failing.
  test("a helper that never joins a product does not hold it up: the host takes every item, with one thread's bits", { timeout: 60_000 }, async () => {
    // A host whose helper never runs (as if the system never scheduled it); the old protocol waited for it forever.
    const stalled: ThreadHost = { cores: () => 2, enableFeatures: nodeThreads.enableFeatures, spawn: async () => ({ firstError: () => undefined, close: async () => {} }) };
    // A host whose helper starts late: the first products run before it is ready, the later ones with it.
    let late: Promise<HelperTeam> | undefined;
    const lateHost: ThreadHost = {
      cores: () => 2,
      enableFeatures: nodeThreads.enableFeatures,
      spawn: async (init, count) => {
        late = nodeThreads.spawn(init, count);
        return { firstError: () => undefined, close: async () => (await late!).close() };
      },
    };
    const selections = await Promise.all([
      selectKernels("wasm", { host: nodeThreads, threads: 1 }),
      selectKernels("wasm", { host: stalled, threads: 2 }),
      selectKernels("wasm", { host: lateHost, threads: 2 }),
    ]);
    try {
      const rng = new Rng(8);
      const src = table(300, 785, 9);
      const products = () => {
        const count = 1 + rng.int(300), n = 1 + rng.int(10);
        const x = { src, rowLength: 785, rows: Uint32Array.from({ length: count }, () => rng.int(300)), start: 0, count, scale: 1 / 255 };
        const b = Float32Array.from({ length: 785 * n }, () => rng.normal(0, 1));
        const g = Float32Array.from({ length: count * n }, () => rng.normal(0, 1));
        return selections.map(({ kernels }) => {
          const out = new Float32Array(count * n), outT = new Float32Array(785 * n);
          kernels.matmulGathered!(x, b, out, n);
          kernels.matmulAtBGathered!(x, g, outT, n);
          return [out, outT];
        });
      };
      for (let i = 0; i < 20; i++) {
        if (i === 10) await late; // the late helper is running from here on
        const [one, alone, joined] = products();
        assert.deepEqual(alone, one, `product ${i}, the helper never joining`);
        assert.deepEqual(joined, one, `product ${i}, the helper ${i < 10 ? "starting late" : "running"}`);
      }
    } finally {
      await Promise.all(selections.map((s) => s.close()));
    }
  });

  test("after close(), a product on threads fails saying so instead of waiting for the helpers", async () => {
    const selection = await selectKernels("wasm", { host: nodeThreads, threads: 2 });
    const src = table(8, 16, 5);
    const x = { src, rowLength: 16, rows: Uint32Array.of(1, 2, 3), start: 0, count: 3, scale: 1 };
    selection.kernels.matmulGathered!(x, new Float32Array(16), new Float32Array(3), 1);
    await selection.close();
    await selection.close(); // twice is harmless
    assert.throws(() => selection.kernels.matmulGathered!({ ...x, start: 1, count: 2 }, new Float32Array(16), new Float32Array(2), 1), /helper threads were closed/);
  });

  test("a row outside the table is refused, naming it, and the next batch is right", async () => {
    const k = (await selectKernels("wasm")).kernels;
    const src = table(10, 16, 4);
    const bad = { src, rowLength: 16, rows: Uint32Array.of(3, 10), start: 0, count: 2, scale: 1 };
    assert.throws(() => k.matmulGathered!(bad, new Float32Array(16), new Float32Array(2), 1), /row 10 is outside \[0, 10\)/);
    const good = { ...bad, rows: Uint32Array.of(3, 9) };
    const floats = new Float32Array(32), want = new Float32Array(2), got = new Float32Array(2);
    const b = Float32Array.from({ length: 16 }, (_, i) => i - 7.5);
    k.gatherRows(src, 16, good.rows, 0, 2, 1, floats);
    k.matmul(floats, b, want, 2, 16, 1);
    k.matmulGathered!(good, b, got, 1);
    assert.deepEqual(got, want);
  });
});

describe("workspace arrays (kept in the kernels' memory)", () => {
  test("every kernel gives on workspace views what it gives on plain arrays, bit for bit, in place included", async () => {
    const k = (await selectKernels("wasm")).kernels;
    const rng = new Rng(31);
    const m = 13, n = 10, d = 37; // odd sizes: no whole vectors per row
    const src = Uint8Array.from({ length: 20 * d }, () => rng.int(256));
    const rows = Int32Array.from({ length: m }, () => rng.int(20));
    const floats = (length: number, scale = 1) => Float32Array.from({ length }, () => rng.normal(0, scale));
    const labels = Int32Array.from({ length: m }, () => rng.int(n));
    const inputs = { a: floats(m * d), w: floats(d * n, 0.1), g: floats(m * n), z: floats(m * n, 3), v: floats(n) };
    // Each case writes its outputs (the last arrays) from its inputs; on views, inputs are copied in first.
    type Case = { name: string; arrays: Float32Array[] | (Float32Array | Int32Array)[]; run: (x: (Float32Array | Int32Array)[]) => void };
    const f = (x: Float32Array | Int32Array) => x as Float32Array;
    const cases: Case[] = [
      { name: "matmul", arrays: [inputs.a, inputs.w, new Float32Array(m * n)], run: (x) => k.matmul(f(x[0]!), f(x[1]!), f(x[2]!), m, d, n) },
      { name: "matmulAtB", arrays: [inputs.a, inputs.g, new Float32Array(d * n)], run: (x) => k.matmulAtB(f(x[0]!), f(x[1]!), f(x[2]!), m, d, n) },
      { name: "matmulABt", arrays: [inputs.g, inputs.w, new Float32Array(m * d)], run: (x) => k.matmulABt(f(x[0]!), f(x[1]!), f(x[2]!), m, n, d) },
      { name: "matmulGathered", arrays: [inputs.w, new Float32Array(m * n)], run: (x) => k.matmulGathered!({ src, rowLength: d, rows, start: 0, count: m, scale: 1 / 255 }, f(x[0]!), f(x[1]!), n) },
      { name: "matmulAtBGathered", arrays: [inputs.g, new Float32Array(d * n)], run: (x) => k.matmulAtBGathered!({ src, rowLength: d, rows, start: 0, count: m, scale: 1 / 255 }, f(x[0]!), f(x[1]!), n) },
      { name: "unary exp", arrays: [inputs.z, new Float32Array(m * n)], run: (x) => k.unary("exp", f(x[0]!), f(x[1]!), m * n) },
      { name: "unary exp in place", arrays: [inputs.z.slice()], run: (x) => k.unary("exp", f(x[0]!), f(x[0]!), m * n) },
      { name: "unary log", arrays: [inputs.g.map(Math.abs), new Float32Array(m * n)], run: (x) => k.unary("log", f(x[0]!), f(x[1]!), m * n) },
      { name: "binary div by a column", arrays: [inputs.z, inputs.v.subarray(0, 1).map(() => 3), new Float32Array(m * n)], run: (x) => k.binary("div", f(x[0]!), [n, 1], f(x[1]!), [0, 0], f(x[2]!), [m, n]) },
      { name: "binary add in place", arrays: [inputs.z.slice(), inputs.v], run: (x) => k.binary("add", f(x[0]!), [n, 1], f(x[1]!), [0, 1], f(x[0]!), [m, n]) },
      { name: "expand", arrays: [inputs.v, new Float32Array(m * n)], run: (x) => k.expand(f(x[0]!), [0, 1], f(x[1]!), [m, n]) },
      { name: "sum", arrays: [inputs.z, new Float32Array(n)], run: (x) => k.sum(f(x[0]!), f(x[1]!), 1, m, n) },
      { name: "max", arrays: [inputs.z, new Float32Array(m), new Int32Array(m)], run: (x) => k.max(f(x[0]!), f(x[1]!), x[2] as Int32Array, m, n, 1) },
      { name: "pick", arrays: [inputs.z, labels, new Float32Array(m)], run: (x) => k.pick(f(x[0]!), x[1] as Int32Array, f(x[2]!), m, n, 1) },
      { name: "scatterAdd", arrays: [floats(m), labels, floats(m * n)], run: (x) => k.scatterAdd(f(x[0]!), x[1] as Int32Array, f(x[2]!), m, n, 1) },
      { name: "axpy", arrays: [inputs.w, inputs.w.map((v) => v * 2)], run: (x) => k.axpy(-0.25, f(x[0]!), f(x[1]!), d * n) },
      { name: "softmaxCrossEntropy", arrays: [inputs.z, labels, new Float32Array(m), new Float32Array(m * n)], run: (x) => k.softmaxCrossEntropy(f(x[0]!), x[1] as Int32Array, f(x[2]!), f(x[3]!), m, n) },
      { name: "gatherRows", arrays: [new Float32Array(m * d)], run: (x) => k.gatherRows(src, d, rows, 0, m, 1 / 255, f(x[0]!)) },
    ];
    for (const { name, arrays, run } of cases) {
      const plain = arrays.map((a) => a.slice());
      run(plain);
      const workspace = k.workspace!(arrays.map((a) => ({ type: a instanceof Int32Array ? "i32" : "f32", length: a.length })));
      const views = workspace.views([src]);
      views.forEach((view, i) => view.set(arrays[i]!));
      run([...views]);
      views.forEach((view, i) => {
        assert.equal(view.buffer, views[0]!.buffer, `${name}: a view is in the kernels' memory`);
        assert.deepEqual(Array.from(view), Array.from(plain[i]!), `${name}, array ${i + 1}`);
      });
      assert.equal(workspace.views([src]), views, `${name}: the same views on the next run`);
    }
  });

  test("a workspace taken over by another, evicted with the tables or moved by growth gives new views", async () => {
    // Unshared memory, as in a page without cross-origin isolation: growing it detaches every view.
    const instance = await createKernelsInstance(await loadWasmModule("simd"), { bytes: 8 << 20 });
    const k = createWasmKernels(instance);
    const first = k.workspace!([{ type: "f32", length: 5 }, { type: "i32", length: 3 }]);
    const second = k.workspace!([{ type: "f32", length: 1000 }]);
    const a = first.views([]);
    assert.deepEqual(a.map((v) => [v.constructor.name, v.length]), [["Float32Array", 5], ["Int32Array", 3]]);
    assert.equal(first.views([]), a);
    second.views([]);
    const b = first.views([]);
    assert.notEqual(b, a, "taken over: new views");
    // Two tables are kept beside the workspace; a third evicts them all, and the workspace is placed anew.
    const tables = [1, 2, 3].map((t) => new Uint8Array(300 << 10).fill(t));
    assert.equal(first.views([tables[0]!]), b);
    assert.equal(first.views([tables[1]!]), b);
    const c = first.views([tables[2]!]);
    assert.notEqual(c, b, "evicted: new views");
    // A table larger than the memory grows it: the old views are detached, the new ones work.
    const big = new Uint8Array(12 << 20).fill(7);
    const d = first.views([big]);
    assert.equal(c[0]!.length, 0, "detached by the growth");
    assert.equal(d[0]!.length, 5);
  });

  test("views() reserves what calls made before need, so that the same calls on the views never grow the memory", async () => {
    const instance = await createKernelsInstance(await loadWasmModule("simd"), { bytes: 1 << 20 });
    const k = createWasmKernels(instance);
    const rng = new Rng(8);
    const batch = (src: Uint8Array) => ({ src, rowLength: 784, rows: Int32Array.from({ length: 256 }, () => rng.int(src.length / 784)), start: 0, count: 256, scale: 1 / 255 });
    const w = Float32Array.from({ length: 7840 }, () => rng.normal(0, 0.01));
    const step = (x: ReturnType<typeof batch>, logits: Float32Array, grad: Float32Array) => {
      k.matmulGathered!(x, w, logits, 10);
      k.unary("exp", logits, logits, 2560);
      k.matmulAtBGathered!(x, logits, grad, 10);
    };
    // The calls, made once on plain arrays: the kernels learn the room they take.
    const first = new Uint8Array(784 * 3000).fill(9);
    step(batch(first), new Float32Array(2560), new Float32Array(7840));
    // A new table is placed with the workspace, growing the memory to fit; the run's room comes on top.
    const second = new Uint8Array(784 * 4000).fill(200);
    const workspace = k.workspace!([{ type: "f32", length: 2560 }, { type: "f32", length: 7840 }]);
    const [logits, grad] = workspace.views([second]) as Float32Array[];
    const size = instance.memory.buffer.byteLength;
    const x = batch(second);
    step(x, logits!, grad!);
    assert.equal(instance.memory.buffer.byteLength, size, "the memory did not grow during the run");
    assert.ok(logits!.length === 2560 && grad!.some((v) => v !== 0), "the views are attached and written");
    const want = [new Float32Array(2560), new Float32Array(7840)] as const;
    step(x, want[0], want[1]);
    assert.deepEqual(grad, want[1]);
  });
});
