// The training page on bad data, in Debian's Chromium with the real Vite server: a data file with one byte
// flipped fails its SHA-256 check with a readable message and no results; no data set at all says how to
// get one. The page stays usable in both cases.

import assert from "node:assert/strict";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { FASHION_MNIST } from "../src/data/datasets.ts";
import { CACHE_NAME } from "../web/dataset.ts";
import { launchChromium, pageErrors, startWebServer, SYSTEM_FASHION_MNIST, tempDir, waitForPhase } from "./helpers/web-page.ts";

let work: { path: string; cleanup: () => Promise<void> };
let browser: Browser;

before(async () => {
  work = await tempDir("softmax-web-errors-");
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await work?.cleanup();
});

/** The page's visible results: the test accuracy, chart points and grid predictions. */
async function results(page: Page): Promise<{ testAcc: string | null; chartPoints: number; predicted: number }> {
  return {
    testAcc: await page.textContent("#metric-test"),
    chartPoints: await page.$$eval("#chart path.line", (paths) => paths.reduce((n, p) => n + (p.getAttribute("d")?.match(/[ML]/g)?.length ?? 0), 0)),
    predicted: await page.locator("#grid .cell").count(),
  };
}

test("web page: a data file with one byte flipped fails its SHA-256 check, the page says which, and shows no results", async () => {
  // A copy of the data folder: the three good files linked, train labels decompressed with one label changed.
  const data = join(work.path, "corrupt-data");
  await mkdir(data);
  for (const role of ["trainImages", "testImages", "testLabels"] as const) {
    const name = `${FASHION_MNIST.files[role].name}.gz`;
    await symlink(join(SYSTEM_FASHION_MNIST, name), join(data, name));
  }
  const labels = gunzipSync(await readFile(join(SYSTEM_FASHION_MNIST, "train-labels-idx1-ubyte.gz")));
  labels[1000] = labels[1000]! ^ 1; // another valid class, so only the hash can tell
  await writeFile(join(data, "train-labels-idx1-ubyte"), labels);

  const server = await startWebServer({ data, cacheRoot: join(work.path, "cache"), viteCacheDir: join(work.path, "vite") });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = pageErrors(page);
  try {
    await page.goto(server.url);
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "failed");
    const alert = (await page.textContent("#alert")) ?? "";
    assert.match(alert, /The data set could not be loaded/);
    assert.match(alert, /corrupt-data\/train-labels-idx1-ubyte: SHA-256 of the decompressed file is [0-9a-f]{64}, expected bad3541b/);
    assert.match(alert, /corrupt or from another data set/);
    assert.equal(await page.isVisible("#alert"), true);
    assert.deepEqual(await results(page), { testAcc: "–", chartPoints: 0, predicted: 0 });
    assert.equal(await page.isDisabled("#train"), true, "nothing to train on");
    assert.equal(await page.isEnabled("#retry"), true, "the page offers to try again");
    assert.equal(await page.isEnabled("#epochs"), true, "the form stays usable");
    // The corrupt bytes were not kept: a reload fetches and checks them again.
    const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url), CACHE_NAME);
    assert.ok(!cached.some((url) => url.includes("train-labels")), `the corrupt file must not be cached: ${cached.join(", ")}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.close();
  }
});

test("web page: with no data set anywhere, the page says how to get one", async () => {
  const empty = join(work.path, "nothing");
  const server = await startWebServer({ offline: true, env: {}, cacheRoot: join(empty, "cache"), systemDir: join(empty, "system"), viteCacheDir: join(work.path, "vite") });
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = pageErrors(page);
  try {
    await page.goto(server.url);
    assert.equal(await waitForPhase(page, ["ready", "failed"]), "failed");
    const alert = (await page.textContent("#alert")) ?? "";
    assert.match(alert, /The server has no Fashion-MNIST to serve/);
    assert.match(alert, /Fashion-MNIST not found: looked in/);
    assert.match(alert, /apt-get install dataset-fashion-mnist/);
    assert.match(alert, /npm run web -- --data DIR/);
    assert.deepEqual(await results(page), { testAcc: "–", chartPoints: 0, predicted: 0 });
    assert.equal(await page.isDisabled("#train"), true);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.close();
  }
});
