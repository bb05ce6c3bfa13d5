// The page's trainers on threads, in Debian's Chromium on the real Fashion-MNIST: the resident WebAssembly
// trainer in the training worker with its helper threads as nested Web Workers, and the chapter's trainer
// with its compiled step's tiles shared the same way. Two threads train as one (and as Node's worker_threads
// do), bit for bit; Pause and Stop still land; without cross-origin isolation both run on one thread and say why.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createServer } from "vite";
import { DataIter } from "../src/data/iterator.ts";
import { loadDataset } from "../src/data/load.ts";
import { decodeModel } from "../src/io/model.ts";
import { nodeThreads } from "../src/kernels/wasm/nodeThreads.ts";
import { SoftmaxRegression } from "../src/nn/softmaxRegression.ts";
import { Rng } from "../src/tensor/random.ts";
import { WasmTrainer } from "../src/train/wasmTrainer.ts";
import { webConfig } from "../web/config.ts";
import { launchChromium, pageErrors, pauseResumeStop, startWebServer, SYSTEM_FASHION_MNIST, tempDir, waitForPhase } from "./helpers/web-page.ts";
import type { WebServer } from "./helpers/web-page.ts";

let work: { path: string; cleanup: () => Promise<void> };
let server: WebServer;
let browser: Browser;
let page: Page;
let errors: string[];

before(async () => {
  work = await tempDir("softmax-web-threads-");
  server = await startWebServer({ data: SYSTEM_FASHION_MNIST, cacheRoot: join(work.path, "cache"), viteCacheDir: join(work.path, "vite") });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  errors = pageErrors(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await work?.cleanup();
});

/** What the page says about the run's trainer: #trainer-info's data attributes and text. */
async function trainerShown(p: Page): Promise<{ trainer?: string; variant?: string; threads?: string; text: string }> {
  return p.$eval("#trainer-info", (e) => ({ ...(e as HTMLElement).dataset, text: e.textContent ?? "" }));
}

/** Picks the fast trainer on `threads` threads and `epochs` epochs (the chapter's other settings). */
async function chooseFast(p: Page, threads: string, epochs: number): Promise<void> {
  await p.selectOption("#trainer", "fast");
  await p.selectOption("#threads", threads);
  await p.fill("#epochs", String(epochs));
}

/** The weights of the page's model, from the file its Download button gives. */
async function downloadModel(p: Page, name: string): Promise<ReturnType<typeof decodeModel>> {
  const [download] = await Promise.all([p.waitForEvent("download"), p.click("#download")]);
  const path = join(work.path, name);
  await download.saveAs(path);
  return decodeModel(await readFile(path), { source: path });
}

describe("web page, fast trainer", () => {
  test("offers the fast trainer beside the chapter's, which stays the default", async () => {
    await page.goto(server.url);
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "ready", (await page.textContent("#alert")) ?? undefined);
    assert.equal(await page.inputValue("#trainer"), "autograd");
    assert.equal(await page.isEnabled("#threads"), true, "either trainer runs on threads");
    await page.selectOption("#trainer", "fast");
    assert.equal(await page.isEnabled("#threads"), true);
    await page.selectOption("#threads", "2");
    assert.equal(await page.textContent("#trainer option[value='fast']"), "fast (2 threads)");
    assert.equal(await page.textContent("#trainer option[value='autograd']"), "chapter (autograd, 2 threads)");
  });

  test("the chapter's trainer shares each batch's tiles among 2 threads in the page, with 1 thread's weights bit for bit", async () => {
    const runChapter = async (threads: string): Promise<ReturnType<typeof decodeModel>> => {
      await page.selectOption("#trainer", "autograd");
      await page.selectOption("#threads", threads);
      await page.fill("#epochs", "1");
      await page.click("#train");
      assert.equal(await waitForPhase(page, ["done", "failed"], 120_000), "done", (await page.textContent("#alert")) ?? undefined);
      const shown = await trainerShown(page);
      assert.equal(shown.trainer, "autograd");
      assert.equal(shown.threads, threads, `the page should run ${threads} thread(s): ${shown.text}`);
      assert.match(shown.text, new RegExp(`chapter \\(autograd\\) · ${threads} threads?`));
      return downloadModel(page, `page-chapter-${threads}.safetensors`);
    };
    const two = await runChapter("2");
    const one = await runChapter("1");
    assert.equal(two.training["threads"], 2);
    assert.equal(one.training["threads"], 1);
    assert.ok(Buffer.from(two.W.buffer, two.W.byteOffset, two.W.byteLength).equals(Buffer.from(one.W.buffer, one.W.byteOffset, one.W.byteLength)), "W: 2 threads and 1 bit for bit");
    assert.ok(Buffer.from(two.b.buffer, two.b.byteOffset, two.b.byteLength).equals(Buffer.from(one.b.buffer, one.b.byteOffset, one.b.byteLength)), "b: 2 threads and 1 bit for bit");
    assert.equal(two.metrics["testAcc"], one.metrics["testAcc"]);
    assert.deepEqual(errors, []);
  });

  test("Pause holds the fast trainer between groups of batches, Resume continues, Stop ends the run", async () => {
    await chooseFast(page, "2", 10);
    assert.equal(await pauseResumeStop(page, ["training", "done"]), "stopped");
    assert.deepEqual(errors, []);
  });

  test("2 threads train 2 epochs in the page, and W is bit for bit what WasmTrainer with nodeThreads gives in Node", async () => {
    await chooseFast(page, "2", 2);
    await page.click("#train");
    assert.equal(await waitForPhase(page, ["done", "failed"], 120_000), "done", (await page.textContent("#alert")) ?? undefined);
    const shown = await trainerShown(page);
    assert.equal(shown.trainer, "fast");
    assert.equal(shown.threads, "2", `the page should run 2 threads: ${shown.text}`);
    // Chromium has relaxed SIMD; the Node side below asserts the same build, so the arithmetic is the same.
    assert.equal(shown.variant, "relaxed");
    assert.match(shown.text, /fast \(WebAssembly\) · relaxed build · 2 threads/);
    const accuracy = Number(await page.getAttribute("#metric-test", "data-value"));
    assert.ok(accuracy > 0.75, `test accuracy ${accuracy} should be above 0.75 after 2 epochs`);
    assert.equal(await page.textContent("#stat-epoch"), "2 of 2");

    const pageModel = await downloadModel(page, "page-fast.safetensors");
    assert.equal(pageModel.training["trainer"], "fused");
    assert.equal(pageModel.training["threads"], 2);
    assert.equal(pageModel.metrics["testAcc"], accuracy);

    // The same run in Node: the page's seed, shuffles and settings, helpers as worker_threads.
    const { train, test: testSplit } = await loadDataset({ data: SYSTEM_FASHION_MNIST, cacheRoot: join(work.path, "node-cache"), env: {}, offline: true });
    const model = new SoftmaxRegression({ numInputs: 784, numOutputs: 10, rng: new Rng(0) });
    const order = new DataIter(train, { batchSize: 256, shuffle: true, seed: 0 });
    const trainer = await WasmTrainer.create(model, { train, test: testSplit }, { lr: 0.1, batchSize: 256, threads: 2, host: nodeThreads });
    try {
      assert.equal(trainer.variant, "relaxed");
      for (let epoch = 1; epoch <= 2; epoch++) trainer.trainEpoch(order.indexBatches(), { epoch });
    } finally {
      await trainer.close();
    }
    assert.ok(Buffer.from(pageModel.W.buffer, pageModel.W.byteOffset, pageModel.W.byteLength).equals(Buffer.from(model.W.data.buffer, model.W.data.byteOffset, model.W.data.byteLength)), "W: page and Node bit for bit");
    assert.ok(Buffer.from(pageModel.b.buffer, pageModel.b.byteOffset, pageModel.b.byteLength).equals(Buffer.from(model.b.data.buffer, model.b.data.byteOffset, model.b.data.byteLength)), "b: page and Node bit for bit");
    assert.deepEqual(errors, []);
  });

  test("the naive softmax is refused for the fast trainer with a message", async () => {
    await page.selectOption("#softmax", "naive");
    await page.click("#train");
    assert.match((await page.textContent("#settings-error")) ?? "", /The fast trainer computes the stable softmax only/);
    await page.selectOption("#softmax", "stable");
  });
});

test("web page: a page without cross-origin isolation trains on one thread and says why, with either trainer", async () => {
  // The same server without the COOP/COEP headers: no SharedArrayBuffer, so no shared memory for threads.
  const config = webConfig({ data: SYSTEM_FASHION_MNIST, cacheRoot: join(work.path, "cache"), viteCacheDir: join(work.path, "vite") });
  const plain = await createServer({ ...config, configFile: false, logLevel: "warn", server: { ...config.server, headers: {}, port: 0, strictPort: false } });
  await plain.listen();
  const address = plain.httpServer?.address();
  assert.ok(address && typeof address !== "string");
  const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const otherErrors = pageErrors(other);
  try {
    await other.goto(`http://127.0.0.1:${address.port}/`);
    assert.equal(await waitForPhase(other, ["ready", "failed"]), "ready", (await other.textContent("#alert")) ?? undefined);
    assert.equal(await other.evaluate(() => crossOriginIsolated), false);
    await chooseFast(other, "auto", 1);
    assert.equal(await other.textContent("#trainer option[value='fast']"), "fast (1 thread)");
    await other.click("#train");
    assert.equal(await waitForPhase(other, ["done", "failed"], 120_000), "done", (await other.textContent("#alert")) ?? undefined);
    const shown = await trainerShown(other);
    assert.equal(shown.threads, "1");
    assert.equal(shown.variant, "simd", "without shared memory the single-thread build runs");
    assert.match((await other.textContent("#threads-reason")) ?? "", /one thread: SharedArrayBuffer is unavailable: the page is not cross-origin isolated/);
    assert.ok(Number(await other.getAttribute("#metric-test", "data-value")) > 0.7);
    // The chapter's trainer too: asked for 2 threads, it runs on one and says why.
    await other.selectOption("#trainer", "autograd");
    await other.selectOption("#threads", "2");
    await other.click("#train");
    assert.equal(await waitForPhase(other, ["done", "failed"], 120_000), "done", (await other.textContent("#alert")) ?? undefined);
    const chapter = await trainerShown(other);
    assert.equal(chapter.trainer, "autograd");
    assert.equal(chapter.threads, "1");
    assert.match((await other.textContent("#threads-reason")) ?? "", /one thread: SharedArrayBuffer is unavailable: the page is not cross-origin isolated/);
    assert.deepEqual(otherErrors, []);
  } finally {
    await other.close();
    await plain.close();
  }
});
