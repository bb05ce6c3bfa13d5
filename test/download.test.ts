// Downloads against a real node:http server on 127.0.0.1: good files (gzip or raw), wrong hash,
// truncated body, 404, a stalled server, falling back to the second mirror, and the real
// Fashion-MNIST label files. After every failure the cache holds no file of the data set.

import assert from "node:assert/strict";
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import type { TestContext } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { FASHION_MNIST, IDX_FILE_NAMES } from "../src/data/datasets.ts";
import type { DownloadProgress } from "../src/data/download.ts";
import { downloadFiles } from "../src/data/download.ts";
import { loadDataset } from "../src/data/load.ts";
import { makeIdxSet, specFor, tempDir } from "./helpers/data-fixtures.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts a server on 127.0.0.1 and returns its base URL; closed (connections too) when the test ends. */
async function serve(t: TestContext, handler: Handler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/`;
}

/** Serves the files of `files` (name → bytes) under /data/, 404 for anything else. */
function filesHandler(files: Record<string, Uint8Array>): Handler {
  return (req, res) => {
    const body = files[(req.url ?? "").replace(/^\/data\//, "")];
    if (!body) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-length": body.length }).end(body);
  };
}

const set = makeIdxSet({ nTrain: 40, nTest: 10, rows: 7, cols: 5 });
const gzFiles: Record<string, Uint8Array> = Object.fromEntries(
  Object.entries(set).map(([role, bytes]) => [`${IDX_FILE_NAMES[role as keyof typeof IDX_FILE_NAMES]}.gz`, gzipSync(bytes)]),
);

/** Everything under the data set's cache folder (files, `.partial`s, the folder itself). */
async function cacheFiles(cacheRoot: string): Promise<string[]> {
  const all = await readdir(cacheRoot, { recursive: true });
  return all.filter((entry) => entry.startsWith("tiny")).map((entry) => entry.replace(/^tiny\/?/, "")).filter(Boolean);
}

function options(t: TestContext, cacheRoot: string, mirrors: string[], extra: object = {}): Parameters<typeof loadDataset>[0] {
  return { dataset: specFor(set), cacheRoot, systemDir: join(cacheRoot, "no-system"), env: {}, mirrors, ...extra };
}

test("download: all four files from a mirror, verified, renamed into the cache, then loaded", async (t) => {
  const cacheRoot = await tempDir(t);
  // One file served raw: the downloader sniffs gzip instead of trusting the name.
  const url = await serve(t, filesHandler({ ...gzFiles, "t10k-labels-idx1-ubyte.gz": set.testLabels }));
  const events: DownloadProgress[] = [];
  const { train, info } = await loadDataset(options(t, cacheRoot, [url], { onProgress: (p: DownloadProgress) => events.push(p) }));
  assert.equal(info.source, "download");
  assert.equal(info.verified, true);
  assert.equal(train.n, 40);
  assert.deepEqual((await cacheFiles(cacheRoot)).sort(), ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]);
  assert.deepEqual(await readFile(join(cacheRoot, "tiny", "train-images-idx3-ubyte")), Buffer.from(set.trainImages));
  assert.deepEqual(events.filter((e) => e.phase === "done").map((e) => e.file), Object.values(IDX_FILE_NAMES));
  const again = await loadDataset(options(t, cacheRoot, [url]));
  assert.equal(again.info.source, "cache");
});

test("download: a wrong hash is rejected and nothing is left in the cache", async (t) => {
  const cacheRoot = await tempDir(t);
  const other = makeIdxSet({ nTrain: 40, nTest: 10, rows: 7, cols: 5, seed: 99 }); // same sizes, other pixels
  const url = await serve(t, filesHandler({ ...gzFiles, "train-images-idx3-ubyte.gz": gzipSync(other.trainImages) }));
  await assert.rejects(
    loadDataset(options(t, cacheRoot, [url])),
    /could not download train-images-idx3-ubyte \(Tiny tiny\) from any mirror: http:\/\/127\.0\.0\.1:\d+\/data\/train-images-idx3-ubyte\.gz: SHA-256 of the decompressed data is [0-9a-f]{64}, expected/,
  );
  assert.deepEqual(await cacheFiles(cacheRoot), []);
});

test("download: a truncated body fails; files fetched before it are removed too", async (t) => {
  const cacheRoot = await tempDir(t);
  const url = await serve(t, (req, res) => {
    const name = (req.url ?? "").replace(/^\/data\//, "");
    const body = gzFiles[name]!;
    if (name !== "t10k-images-idx3-ubyte.gz") return void res.writeHead(200, { "content-length": body.length }).end(body);
    res.writeHead(200, { "content-length": body.length });
    res.write(body.subarray(0, body.length >> 1), () => res.destroy());
  });
  await assert.rejects(
    loadDataset(options(t, cacheRoot, [url])),
    /could not download t10k-images-idx3-ubyte .*t10k-images-idx3-ubyte\.gz: the connection closed before the whole file arrived/,
  );
  assert.deepEqual(await cacheFiles(cacheRoot), [], "no file and no .partial of the data set");
});

test("download: 404 on every mirror lists each failure", async (t) => {
  const cacheRoot = await tempDir(t);
  const a = await serve(t, filesHandler({}));
  const b = await serve(t, filesHandler({}));
  await assert.rejects(loadDataset(options(t, cacheRoot, [a, b])), (error: Error) => {
    assert.match(error.message, /train-images-idx3-ubyte\.gz: HTTP 404 Not Found; http.*train-images-idx3-ubyte\.gz: HTTP 404 Not Found\. Check the network/);
    assert.equal(error.message.split("\n").length, 1, "one line");
    return true;
  });
  assert.deepEqual(await cacheFiles(cacheRoot), []);
});

test("download: a server that stops sending times out (stall), and nothing is left", async (t) => {
  const cacheRoot = await tempDir(t);
  const url = await serve(t, (req, res) => {
    const body = gzFiles[(req.url ?? "").replace(/^\/data\//, "")]!;
    res.writeHead(200, { "content-length": body.length });
    res.write(body.subarray(0, 10)); // then silence
  });
  const started = Date.now();
  await assert.rejects(loadDataset(options(t, cacheRoot, [url], { stallTimeoutMs: 300 })), /train-images-idx3-ubyte\.gz: no data for 0\.3 s \(stalled\)/);
  assert.ok(Date.now() - started < 5000, "gave up promptly");
  assert.deepEqual(await cacheFiles(cacheRoot), []);
});

test("download: the overall limit stops a slow trickle", async (t) => {
  const cacheRoot = await tempDir(t);
  const url = await serve(t, (req, res) => {
    const body = gzFiles[(req.url ?? "").replace(/^\/data\//, "")]!;
    res.writeHead(200, { "content-length": body.length });
    let i = 0;
    const timer = setInterval(() => (i < body.length ? res.write(body.subarray(i, ++i)) : clearInterval(timer)), 20);
    res.on("close", () => clearInterval(timer));
  });
  await assert.rejects(loadDataset(options(t, cacheRoot, [url], { stallTimeoutMs: 1000, timeoutMs: 300 })), /not finished after 0\.3 s/);
  assert.deepEqual(await cacheFiles(cacheRoot), []);
});

test("download: when the first mirror fails the second is used", async (t) => {
  const cacheRoot = await tempDir(t);
  const broken = await serve(t, (_req, res) => void res.writeHead(500, "Internal Server Error").end());
  const good = await serve(t, filesHandler(gzFiles));
  const failed: string[] = [];
  const { info } = await loadDataset(options(t, cacheRoot, [broken, good], { onProgress: (p: DownloadProgress) => p.phase === "failed" && failed.push(p.error ?? "") }));
  assert.equal(info.verified, true);
  assert.deepEqual(failed, new Array(4).fill("HTTP 500 Internal Server Error"));
  assert.equal((await cacheFiles(cacheRoot)).length, 4);
});

test("download: the real Fashion-MNIST label files (Debian's gzip bytes) verify against the published hashes", async (t) => {
  const dir = await tempDir(t);
  const system = "/usr/share/datasets/fashion-mnist";
  const url = await serve(t, filesHandler({
    "train-labels-idx1-ubyte.gz": await readFile(join(system, "train-labels-idx1-ubyte.gz")),
    "t10k-labels-idx1-ubyte.gz": await readFile(join(system, "t10k-labels-idx1-ubyte.gz")),
  }));
  await downloadFiles([FASHION_MNIST.files.trainLabels, FASHION_MNIST.files.testLabels], dir, { mirrors: [url] });
  assert.deepEqual((await readdir(dir)).sort(), ["t10k-labels-idx1-ubyte", "train-labels-idx1-ubyte"]);
  const labels = await readFile(join(dir, "train-labels-idx1-ubyte"));
  assert.deepEqual(labels, gunzipSync(await readFile(join(system, "train-labels-idx1-ubyte.gz"))));
  assert.equal(labels.length, 60008);
});

test("download: a .partial left by a killed process is removed, one still being written is kept", async (t) => {
  const cacheRoot = await tempDir(t);
  const dir = join(cacheRoot, "tiny");
  await mkdir(dir);
  await writeFile(join(dir, "train-images-idx3-ubyte.123-dead.partial"), "half");
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(join(dir, "train-images-idx3-ubyte.123-dead.partial"), hourAgo, hourAgo);
  await writeFile(join(dir, "train-images-idx3-ubyte.456-live.partial"), "writing");
  const url = await serve(t, filesHandler(gzFiles));
  await loadDataset(options(t, cacheRoot, [url]));
  const left = await cacheFiles(cacheRoot);
  assert.ok(!left.includes("train-images-idx3-ubyte.123-dead.partial"));
  assert.ok(left.includes("train-images-idx3-ubyte.456-live.partial"));
});
