// The training page end to end in Debian's Chromium, on the real Fashion-MNIST served by the real Vite
// server: pause/resume/stop, a 2-epoch run with a live main thread, the pictures, model files that
// `softmax eval` and the page agree on, and the verified copies the browser keeps in Cache Storage.

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { decodeModel, encodeModel } from "../src/io/model.ts";
import { CACHE_NAME } from "../web/dataset.ts";
import { softmax } from "./helpers/cli-run.ts";
import { launchChromium, pageErrors, pauseResumeStop, startWebServer, SYSTEM_FASHION_MNIST, tempDir, waitForPhase, waitForTestAccuracy } from "./helpers/web-page.ts";
import type { WebServer } from "./helpers/web-page.ts";

let work: { path: string; cleanup: () => Promise<void> };
let server: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
/** The test accuracy the page showed after its 2-epoch run (exact, from data-value). */
let pageAccuracy: number;
let downloaded: string;

before(async () => {
  work = await tempDir("softmax-web-");
  server = await startWebServer({ data: SYSTEM_FASHION_MNIST, cacheRoot: join(work.path, "cache"), viteCacheDir: join(work.path, "vite") });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  errors = pageErrors(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await work?.cleanup();
});

/** Counts the points of each chart series (one M or L command per point). */
async function chartPoints(p: Page): Promise<Record<string, number>> {
  return p.$$eval("#chart g.series", (groups) =>
    Object.fromEntries(groups.map((g) => [g.getAttribute("data-name") ?? "", (g.querySelector("path.line")?.getAttribute("d")?.match(/[ML]/g) ?? []).length])),
  );
}

describe("web page", () => {
  test("loads and verifies the data in a cross-origin isolated page and says which kernels run", async () => {
    await page.goto(server.url);
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "ready", (await page.textContent("#alert")) ?? undefined);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, "COOP/COEP headers should make the page cross-origin isolated");
    assert.match((await page.textContent("#data-status")) ?? "", /60,000 train \/ 10,000 test images, from \/usr\/share\/datasets\/fashion-mnist/);
    const kernels = await page.getAttribute("#kernels", "data-kernels");
    assert.ok(kernels === "ref" || kernels === "wasm-simd" || kernels === "wasm-relaxed-simd", `kernels shown: ${kernels}`);
    assert.equal(await page.locator("#grid .cell image").count(), 24, "the grid shows the first 24 test images before any training");
  });

  test("Pause holds training between batches, Resume continues, Stop ends the run", async () => {
    await page.fill("#epochs", "3");
    assert.equal(await pauseResumeStop(page, ["training"]), "stopped");
    assert.match((await page.textContent("#phase")) ?? "", /stopped/);
  });

  test("trains 2 epochs in the worker while the main thread keeps ticking", async () => {
    await page.fill("#epochs", "2");
    // A 16 ms timer on the page: its largest gap is how long the main thread was ever blocked.
    await page.evaluate(() => {
      const w = window as unknown as { maxGap: number };
      w.maxGap = 0;
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        w.maxGap = Math.max(w.maxGap, now - last);
        last = now;
      }, 16);
    });
    await page.click("#train");
    assert.equal(await waitForPhase(page, ["done", "failed"], 120_000), "done", (await page.textContent("#alert")) ?? undefined);
    const maxGap = await page.evaluate(() => (window as unknown as { maxGap: number }).maxGap);
    assert.ok(maxGap < 200, `the main thread was blocked for ${maxGap.toFixed(0)} ms (limit 200 ms)`);

    assert.deepEqual(await chartPoints(page), { "train loss": 2, "train acc": 2, "test acc": 2 });
    pageAccuracy = Number(await page.getAttribute("#metric-test", "data-value"));
    assert.ok(pageAccuracy > 0.75, `test accuracy ${pageAccuracy} should be above 0.75 after 2 epochs`);
    assert.equal(await page.textContent("#metric-test"), `${(pageAccuracy * 100).toFixed(2)}%`);
    assert.equal(await page.textContent("#stat-epoch"), "2 of 2");
    assert.deepEqual(errors, []);
  });

  test("the grid shows true / predicted labels with the mistakes marked, and a click shows 10 probabilities", async () => {
    const cells = await page.$$eval("#grid .cell", (groups) =>
      groups.map((g) => ({
        marked: g.classList.contains("marked"),
        titles: Array.from(g.querySelectorAll("text"), (t) => t.textContent ?? ""),
        image: g.querySelector("image")?.getAttribute("href")?.startsWith("data:image/png;base64,") ?? false,
      })),
    );
    assert.equal(cells.length, 24);
    for (const cell of cells) {
      assert.ok(cell.image, "every cell holds a PNG image");
      assert.equal(cell.titles.length, 2, "true and predicted label under each image");
      assert.equal(cell.marked, cell.titles[0] !== cell.titles[1], `marked exactly when wrong: ${cell.titles.join(" / ")}`);
    }
    assert.ok(cells.some((c) => !c.marked), "most predictions are right");

    await page.click("#grid .cell[data-index='5']");
    const probs = await page.$$eval("#probs .prob-row", (rows) => rows.map((r) => Number(r.getAttribute("data-probability"))));
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4, `probabilities sum to 1, got ${probs}`);
    const best = probs.indexOf(Math.max(...probs));
    assert.equal(await page.getAttribute("#probs .prob-row.predicted", "data-class"), String(best));
    assert.match((await page.textContent("#probs .probs-head")) ?? "", /Test image 6/);
    assert.equal(await page.locator("#classes tr").count(), 10, "per-class accuracy has a row per class");
    assert.equal(await page.locator("#weights svg image").count(), 11, "ten weight templates and the colour bar");
  });

  test("the downloaded model loads in `softmax eval` and gives the accuracy the page showed", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    assert.equal(download.suggestedFilename(), "model.safetensors");
    downloaded = join(work.path, "page-model.safetensors");
    await download.saveAs(downloaded);
    const model = decodeModel(await readFile(downloaded), { source: downloaded });
    assert.equal(model.training["epochsCompleted"], 2);
    assert.equal(model.training["batchSize"], 256);
    assert.equal(model.training["softmax"], "stable");
    assert.equal(model.training["kernels"], await page.getAttribute("#kernels", "data-kernels"), "the file records the kernels the page ran");
    assert.equal(model.metrics["testAcc"], pageAccuracy);

    const result = await softmax(["eval", "--model", downloaded, "--data", SYSTEM_FASHION_MNIST, "--json"], join(work.path, "cli-cache"));
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { accuracy: number; recordedTestAcc: number };
    assert.equal(report.accuracy, pageAccuracy, "softmax eval computes the page's test accuracy exactly");
    assert.equal(report.recordedTestAcc, pageAccuracy);
  });

  test("the CLI and the page train the same weights from the same seed, and each one's model file loads in the other", async () => {
    // The CLI with the page's kernel set and its training path (autograd: train() + sgd), 1 epoch of the
    // chapter's settings from seed 0. The CLI's default, the fused trainer, sums in another order.
    const kernels = (await page.getAttribute("#kernels", "data-kernels"))?.startsWith("wasm-") ? "wasm" : "ref";
    const cli = join(work.path, "cli-run");
    const trained = await softmax(
      ["train", "--epochs", "1", "--kernels", kernels, "--trainer", "autograd", "--data", SYSTEM_FASHION_MNIST, "--out", cli, "--json"],
      join(work.path, "cli-cache"),
    );
    assert.equal(trained.code, 0, trained.stderr);
    const cliModel = decodeModel(await readFile(join(cli, "model.safetensors")));
    await page.setInputFiles("#upload", join(cli, "model.safetensors"));
    await waitForTestAccuracy(page, cliModel.metrics["testAcc"]!);
    assert.match((await page.textContent("#model-info")) ?? "", /Uploaded model\.safetensors: 1 epoch/);

    await page.fill("#epochs", "1");
    await page.click("#train");
    assert.equal(await waitForPhase(page, ["done", "failed"], 60_000), "done");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const oneEpoch = join(work.path, "page-1-epoch.safetensors");
    await download.saveAs(oneEpoch);
    const pageModel = decodeModel(await readFile(oneEpoch));
    assert.ok(Buffer.from(pageModel.W.buffer).equals(Buffer.from(cliModel.W.buffer)), "W after one epoch: page and CLI bit for bit");
    assert.ok(Buffer.from(pageModel.b.buffer).equals(Buffer.from(cliModel.b.buffer)), "b after one epoch: page and CLI bit for bit");
    assert.equal(pageModel.metrics["testAcc"], cliModel.metrics["testAcc"]);

    await page.setInputFiles("#upload", downloaded);
    await waitForTestAccuracy(page, pageAccuracy);
  });

  test("malformed or mis-shaped model files are refused with a message, and the page stays usable", async () => {
    const garbage = join(work.path, "garbage.safetensors");
    await writeFile(garbage, "this is not a model file at all");
    await page.setInputFiles("#upload", garbage);
    await page.waitForSelector("#model-error:not([hidden])");
    assert.match((await page.textContent("#model-error")) ?? "", /garbage\.safetensors: not a valid safetensors file/);
    assert.equal(await page.getAttribute("#metric-test", "data-value"), String(pageAccuracy), "a refused file leaves the shown model alone");

    const small = join(work.path, "small.safetensors");
    const W = new Float32Array(100 * 10);
    await writeFile(small, encodeModel({ W, b: new Float32Array(10), inputs: 100, classes: 10, classNames: Array.from({ length: 10 }, (_, k) => String(k)), inputShape: [10, 10], preprocessing: "pixel / 255", training: {}, metrics: {} }));
    await page.setInputFiles("#upload", small);
    await page.waitForSelector("#model-error:not([hidden])");
    assert.match((await page.textContent("#model-error")) ?? "", /small\.safetensors: the model takes 100 inputs \(10 × 10 images\) but the data has 784/);
    assert.equal(await page.isEnabled("#train"), true, "the page stays usable");
  });

  test("a reload reads the verified copies from Cache Storage; a corrupted copy is fetched again", async () => {
    const fetched: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/data/fashion-mnist/")) fetched.push(new URL(request.url()).pathname);
    });
    await page.reload();
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "ready");
    assert.deepEqual(fetched, [], "nothing is fetched when the browser holds verified copies");
    assert.equal(await page.getAttribute("#data-status", "data-cached"), "4");

    await page.evaluate(async (name) => {
      const cache = await caches.open(name);
      const key = (await cache.keys()).find((request) => request.url.includes("t10k-labels-idx1-ubyte"));
      if (!key) throw new Error("no cached copy of t10k-labels-idx1-ubyte");
      const bytes = new Uint8Array(await (await cache.match(key))!.arrayBuffer());
      bytes[100] = (bytes[100]! + 1) % 10; // still a valid label, but not the published file
      await cache.put(key, new Response(bytes));
    }, CACHE_NAME);
    await page.reload();
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "ready");
    assert.deepEqual(fetched, ["/data/fashion-mnist/manifest.json", "/data/fashion-mnist/t10k-labels-idx1-ubyte.gz"]);
    assert.match((await page.textContent("#data-status")) ?? "", /copy of t10k-labels-idx1-ubyte failed its SHA-256 check, so it was fetched again/);
    assert.deepEqual(errors, []);
  });

  test("a diverging run (lr 1e9, the chapter's naive softmax) stops naming the epoch and batch, and the page stays usable", async () => {
    await page.fill("#epochs", "1");
    await page.fill("#lr", "1e9");
    await page.selectOption("#softmax", "naive");
    await page.click("#train");
    assert.equal(await waitForPhase(page, ["failed", "done"], 60_000), "failed");
    const alert = (await page.textContent("#alert")) ?? "";
    assert.match(alert, /Training diverged/);
    assert.match(alert, /the loss is (NaN|Infinity) at epoch 1, batch \d+/);
    assert.equal(await page.isEnabled("#train"), true);
    await page.fill("#lr", "-1");
    await page.click("#train");
    assert.match((await page.textContent("#settings-error")) ?? "", /Learning rate must be a number above 0/);
    assert.deepEqual(errors, []);
  });
});
