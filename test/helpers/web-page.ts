// Browser-test helpers for the page: the real Vite dev server (web/config.ts) on a free 127.0.0.1 port,
// and Debian's Chromium driven by playwright-core (never a downloaded browser).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { createServer } from "vite";
import { webConfig } from "../../web/config.ts";
import type { WebConfigOptions } from "../../web/config.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SYSTEM_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/** A temporary folder removed by `cleanup`. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the page's dev server as `npm run web` does, with the data options given and a private Vite cache. */
export async function startWebServer(options: WebConfigOptions): Promise<WebServer> {
  const config = webConfig(options);
  const server = await createServer({ ...config, configFile: false, logLevel: "warn", server: { ...config.server, port: 0, strictPort: false } });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === "string") throw new Error("the Vite server did not report a TCP port");
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

/** Launches Debian's Chromium headless; fails saying how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's browser with \`apt-get install -y chromium\` (the tests never download one)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Collects the page's uncaught errors, so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** Waits until the page's phase (body[data-phase]) is one of `phases` and every picture is drawn; returns it. */
export async function waitForPhase(page: Page, phases: readonly string[], timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction((wanted) => {
    const { phase, drawing } = document.body.dataset;
    return phase !== undefined && wanted.includes(phase) && drawing !== "true" ? phase : false;
  }, phases, { timeout });
  return (await handle.jsonValue()) as string;
}

/** Waits until the test accuracy shown (exact, #metric-test[data-value]) is `want`; fails showing what the page shows. */
export async function waitForTestAccuracy(page: Page, want: number, timeout = 30_000): Promise<void> {
  try {
    await page.waitForFunction((value) => document.getElementById("metric-test")?.dataset["value"] === value, String(want), { timeout });
  } catch {
    const shown = await page.getAttribute("#metric-test", "data-value");
    const problems = [await page.textContent("#model-error"), await page.textContent("#alert")].filter((t) => t?.trim());
    throw new Error(`the page shows test accuracy ${shown}, expected ${want}${problems.length ? `; the page says: ${problems.join(" / ")}` : ""}`);
  }
}

/**
 * Clicks Train, waits for a batch, clicks Pause and checks that no batch runs while paused, then Resume
 * (waiting for one of `resumed`) and Stop; returns the phase the run ends in.
 */
export async function pauseResumeStop(page: Page, resumed: readonly string[]): Promise<string> {
  await page.click("#train");
  await page.waitForFunction(() => /^\d/.test(document.getElementById("stat-batch")?.textContent ?? ""));
  await page.click("#pause");
  await waitForPhase(page, ["paused"], 10_000);
  const held = await page.textContent("#stat-batch");
  await page.waitForTimeout(400);
  assert.equal(await page.textContent("#stat-batch"), held, "no batch may run while paused");
  await page.click("#pause"); // now labelled Resume
  await waitForPhase(page, resumed, 10_000);
  await page.click("#stop");
  return waitForPhase(page, ["stopped", "done", "failed"], 30_000);
}
