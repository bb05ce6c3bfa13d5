// `npm run build:web`'s static site: built by Vite from web/vite.config.ts's configuration into a temp
// folder, served by `vite preview` (COOP/COEP, the data route) and trained for one epoch in Chromium with
// each trainer (the fast one's helper threads are bundled worker chunks too).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build, preview } from "vite";
import { webConfig } from "../web/config.ts";
import { root } from "./helpers/cli-run.ts";
import { launchChromium, pageErrors, SYSTEM_FASHION_MNIST, tempDir, waitForPhase } from "./helpers/web-page.ts";

let work: { path: string; cleanup: () => Promise<void> };
let outDir: string;

before(async () => {
  work = await tempDir("softmax-web-build-");
  outDir = join(work.path, "dist");
  const config = webConfig({ viteCacheDir: join(work.path, "vite") });
  await build({ ...config, configFile: false, logLevel: "warn", build: { ...config.build, outDir } });
});

after(async () => {
  await work?.cleanup();
});

test("web build: one HTML page, its script, the worker, the stylesheet and the kernels' .wasm", async () => {
  assert.ok(existsSync(join(outDir, "index.html")));
  const assets = await readdir(join(outDir, "assets"));
  assert.ok(assets.some((a) => /^worker-.*\.js$/.test(a)), `a worker chunk in ${assets.join(", ")}`);
  assert.ok(assets.some((a) => /^webWorker-.*\.js$/.test(a)), `the fast trainer's helper chunk in ${assets.join(", ")}`);
  assert.ok(assets.some((a) => a.endsWith(".css")));
  if (existsSync(join(root, "build/wasm/kernels-simd.wasm"))) assert.ok(assets.some((a) => /^kernels-simd-.*\.wasm$/.test(a)), `the SIMD module in ${assets.join(", ")}`);
  const html = await readFile(join(outDir, "index.html"), "utf8");
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "the page links nothing from another origin");
});

test("web build: the built page, served by vite preview, is cross-origin isolated and trains an epoch with nothing fetched from elsewhere", async () => {
  const config = webConfig({ data: SYSTEM_FASHION_MNIST, cacheRoot: join(work.path, "cache") });
  const server = await preview({ ...config, configFile: false, logLevel: "warn", build: { ...config.build, outDir }, preview: { ...config.preview, port: 0 } });
  const browser = await launchChromium();
  try {
    const url = server.resolvedUrls?.local[0];
    assert.ok(url, "vite preview reports its URL");
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors = pageErrors(page);
    const origins = new Set<string>();
    page.on("request", (request) => {
      if (!/^(data|blob):/.test(request.url())) origins.add(new URL(request.url()).origin);
    });
    await page.goto(url);
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "ready", (await page.textContent("#alert")) ?? undefined);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    await page.fill("#epochs", "1");
    await page.click("#train");
    assert.equal(await waitForPhase(page, ["done", "failed"], 120_000), "done", (await page.textContent("#alert")) ?? undefined);
    assert.ok(Number(await page.getAttribute("#metric-test", "data-value")) > 0.7);
    await page.selectOption("#trainer", "fast");
    await page.selectOption("#threads", "2");
    await page.click("#train");
    assert.equal(await waitForPhase(page, ["done", "failed"], 120_000), "done", (await page.textContent("#alert")) ?? undefined);
    assert.equal(await page.getAttribute("#trainer-info", "data-threads"), "2", "the bundled helpers start");
    assert.ok(Number(await page.getAttribute("#metric-test", "data-value")) > 0.7);
    assert.deepEqual([...origins], [new URL(url).origin], "every request stays on the page's own server");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
});
