// Loads Fashion-MNIST in the browser: same-origin fetch from the server's data route, gunzip with
// DecompressionStream, SHA-256 with crypto.subtle against FASHION_MNIST, and a verified decompressed copy
// in Cache Storage so a reload fetches nothing (a cached copy that fails its hash is fetched again).

import { FASHION_MNIST, FILE_ROLES } from "../src/data/datasets.ts";
import type { FileRole } from "../src/data/datasets.ts";
import { gunzip } from "../src/data/gunzip.ts";
import { parseIdxImages, parseIdxLabels } from "../src/data/idx.ts";
import { buildSplits } from "../src/data/split.ts";
import type { DataSplit } from "../src/data/split.ts";
import { DATA_PATH } from "./data-route.ts";
import type { DataManifest, DataManifestError } from "./data-route.ts";
import type { DataProgress } from "./messages.ts";

/** The Cache Storage bucket; bump the suffix if the stored form ever changes. */
export const CACHE_NAME = "softmax-regression-data-v1";

/** The data set could not be loaded; `missing` means the server has none to serve. */
export class DataLoadError extends Error {
  readonly missing: boolean;
  constructor(message: string, options: { missing?: boolean } = {}) {
    super(message);
    this.name = "DataLoadError";
    this.missing = options.missing ?? false;
  }
}

export interface BrowserDataset {
  train: DataSplit;
  test: DataSplit;
  /** The server's folder, or undefined when every file came from the browser's cache. */
  dir: string | undefined;
  cached: string[];
  notes: string[];
}

/** Lowercase hex SHA-256. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The cache key of a file's verified decompressed bytes (its hash in the key: a new data version is a new entry). */
function cacheKey(role: FileRole): string {
  const file = FASHION_MNIST.files[role];
  return new URL(`${DATA_PATH}/verified/${file.name}?sha256=${file.sha256}`, self.location.href).href;
}

async function openCache(notes: string[]): Promise<Cache | undefined> {
  if (typeof caches === "undefined") {
    notes.push("this page is not a secure context, so the browser cannot keep a copy of the data: every load fetches it");
    return undefined;
  }
  try {
    return await caches.open(CACHE_NAME);
  } catch (error) {
    notes.push(`the browser refused its cache (${(error as Error).message}): every load fetches the data`);
    return undefined;
  }
}

async function fetchManifest(): Promise<DataManifest> {
  let response: Response;
  try {
    response = await fetch(`${DATA_PATH}/manifest.json`, { cache: "no-store" });
  } catch (error) {
    throw new DataLoadError(`could not reach the page's server for the data (${(error as Error).message}); is \`npm run web\` still running?`);
  }
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("application/json")) {
    throw new DataLoadError(
      `${DATA_PATH}/manifest.json: the server does not serve the data set (HTTP ${response.status}, ${type || "no content type"}); ` +
        "start the page with `npm run web`, whose server serves the Fashion-MNIST files",
    );
  }
  const body = (await response.json()) as DataManifest | DataManifestError;
  if ("error" in body) throw new DataLoadError(body.error, { missing: body.missing === true });
  return body;
}

/** Reads a response body, reporting progress about every 4 MB. */
async function readBody(response: Response, file: string, total: number, onProgress: (p: DataProgress) => void): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const out = new Uint8Array(total);
  const reader = response.body.getReader();
  let received = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.length > out.length) throw new DataLoadError(`${file}: the server sent more than the ${total} bytes it announced`);
    out.set(value, received);
    received += value.length;
    if (received - reported >= 4 << 20) {
      reported = received;
      onProgress({ file, phase: "download", received, total });
    }
  }
  if (received !== total) throw new DataLoadError(`${file}: the download stopped after ${received} of ${total} bytes; reload the page to try again`);
  return out;
}

/** Fetches one file from the server, decompresses it if needed and checks its SHA-256. */
async function fetchVerified(manifest: DataManifest, role: FileRole, onProgress: (p: DataProgress) => void): Promise<Uint8Array<ArrayBuffer>> {
  const expected = FASHION_MNIST.files[role];
  const served = manifest.files[role];
  const where = `${manifest.dir}/${served.name}`;
  onProgress({ file: expected.name, phase: "download", received: 0, total: served.bytes });
  const response = await fetch(`${DATA_PATH}/${encodeURIComponent(served.name)}`, { cache: "no-store" });
  if (!response.ok) throw new DataLoadError(`${where}: the server answered HTTP ${response.status} ${response.statusText}; reload the page to try again`);
  let bytes = await readBody(response, expected.name, served.bytes, onProgress);
  if (served.gzip) {
    onProgress({ file: expected.name, phase: "decompress" });
    bytes = (await gunzip(bytes, { source: where })) as Uint8Array<ArrayBuffer>;
  }
  onProgress({ file: expected.name, phase: "verify" });
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== expected.sha256) {
    const fix = manifest.source === "system"
      ? "reinstall the package that provides it (apt-get install --reinstall dataset-fashion-mnist)"
      : manifest.source === "cache" || manifest.source === "download"
        ? "delete it on the server and reload the page so it is fetched again"
        : "replace it with the original file, or start the server with --data pointing at a good copy";
    throw new DataLoadError(
      `${where}: SHA-256 of the decompressed file is ${sha256}, expected ${expected.sha256} (${FASHION_MNIST.title} ${expected.name}); ` +
        `the file is corrupt or from another data set: ${fix}`,
    );
  }
  return bytes;
}

/** Loads the four files (from the cache when a verified copy is there) and builds the two splits. */
export async function loadFashionMnist(onProgress: (p: DataProgress) => void): Promise<BrowserDataset> {
  const notes: string[] = [];
  const cache = await openCache(notes);
  const bytes = {} as Record<FileRole, Uint8Array>;
  const cached: string[] = [];
  let manifest: DataManifest | undefined;
  for (const role of FILE_ROLES) {
    const expected = FASHION_MNIST.files[role];
    const key = cacheKey(role);
    const hit = await cache?.match(key);
    if (hit) {
      onProgress({ file: expected.name, phase: "cache" });
      const copy = new Uint8Array(await hit.arrayBuffer());
      if ((await sha256Hex(copy)) === expected.sha256) {
        bytes[role] = copy;
        cached.push(expected.name);
        continue;
      }
      await cache?.delete(key);
      notes.push(`the browser's copy of ${expected.name} failed its SHA-256 check, so it was fetched again`);
    }
    manifest ??= await fetchManifest();
    const fresh = await fetchVerified(manifest, role, onProgress);
    bytes[role] = fresh;
    try {
      await cache?.put(key, new Response(fresh, { headers: { "Content-Type": "application/octet-stream" } }));
    } catch (error) {
      notes.push(`could not keep ${expected.name} in the browser's cache (${(error as Error).message}); the next load fetches it again`);
    }
    onProgress({ file: expected.name, phase: "ready" });
  }
  const source = (role: FileRole): string => (manifest ? `${manifest.dir}/${manifest.files[role].name}` : `browser cache: ${FASHION_MNIST.files[role].name}`);
  const { train, test } = buildSplits(
    {
      trainImages: parseIdxImages(bytes.trainImages, { source: source("trainImages") }),
      testImages: parseIdxImages(bytes.testImages, { source: source("testImages") }),
      trainLabels: parseIdxLabels(bytes.trainLabels, { source: source("trainLabels") }),
      testLabels: parseIdxLabels(bytes.testLabels, { source: source("testLabels") }),
      sources: { trainImages: source("trainImages"), testImages: source("testImages"), trainLabels: source("trainLabels"), testLabels: source("testLabels") },
    },
    { numClasses: FASHION_MNIST.numClasses },
  );
  return { train, test, dir: manifest?.dir, cached, notes };
}
