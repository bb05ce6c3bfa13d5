// Downloads data set files from mirrors with global fetch: each body is streamed (gunzipped when it is
// gzip) into a `*.partial` file while hashing, checked for size and SHA-256 of the decompressed bytes,
// and renamed into place only when every requested file verified. Node only.

import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rmdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { DatasetFile } from "./datasets.ts";
import { partialPath, removeStalePartials } from "./files.ts";
import type { HashMemo } from "./hash-memo.ts";

/** One step of a download, for progress output. `received` counts network (compressed) bytes. */
export interface DownloadProgress {
  /** Decompressed file name, e.g. `train-images-idx3-ubyte`. */
  file: string;
  url: string;
  phase: "start" | "progress" | "done" | "failed";
  received: number;
  /** The response's Content-Length, when the server sent one. */
  total?: number;
  /** Why this mirror failed (phase "failed"). */
  error?: string;
}

export interface DownloadOptions {
  /** Base URLs tried in turn (each file is `<mirror><name>.gz`); default: the data set's mirrors. */
  mirrors?: readonly string[];
  /** Give up on a mirror after this long without receiving a byte; default 30 s. */
  stallTimeoutMs?: number;
  /** Give up on a mirror when one file takes longer than this; default 10 min. */
  timeoutMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

const DEFAULT_STALL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * Downloads `files` into `dir`, trying `options.mirrors` in turn for each file. All or nothing:
 * when any file fails on every mirror, every `.partial` of this call is removed (and `dir`, if this
 * call created it and it is empty) and the error lists each mirror's failure. Verified files are
 * recorded in `memo` so the first load does not hash them again.
 */
export async function downloadFiles(
  files: readonly DatasetFile[],
  dir: string,
  options: DownloadOptions & { mirrors: readonly string[]; title?: string; memo?: HashMemo },
): Promise<void> {
  if (options.mirrors.length === 0) {
    throw new Error(`no download mirrors for ${options.title ?? "this data set"}; get the files another way and pass --data DIR`);
  }
  const created = await mkdir(dir, { recursive: true });
  await removeStalePartials(dir);
  const fetched: { file: DatasetFile; partial: string }[] = [];
  try {
    for (const file of files) fetched.push({ file, partial: await fetchFromMirrors(file, dir, options) });
  } catch (error) {
    await Promise.all(fetched.map(({ partial }) => unlink(partial).catch(() => undefined)));
    if (created !== undefined) await rmdir(dir).catch(() => undefined); // only succeeds when empty
    throw error;
  }
  for (const { file, partial } of fetched) {
    const target = join(dir, file.name);
    await rename(partial, target);
    options.memo?.set(target, await stat(target), { sha256: file.sha256, gzip: false });
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message || (error.cause as NodeJS.ErrnoException).code : undefined;
  // fetch reports a body cut short as just "terminated".
  const message = error.message === "terminated" ? "the connection closed before the whole file arrived" : error.message;
  return cause ? `${message} (${cause})` : message;
}

async function fetchFromMirrors(file: DatasetFile, dir: string, options: DownloadOptions & { mirrors: readonly string[]; title?: string }): Promise<string> {
  const failures: string[] = [];
  for (const mirror of options.mirrors) {
    const url = `${mirror.endsWith("/") ? mirror : `${mirror}/`}${file.name}.gz`;
    const partial = partialPath(join(dir, file.name));
    try {
      await fetchVerified(url, file, partial, options);
      return partial;
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      const why = messageOf(error);
      failures.push(`${url}: ${why}`);
      options.onProgress?.({ file: file.name, url, phase: "failed", received: 0, error: why });
    }
  }
  throw new Error(
    `could not download ${file.name}${options.title ? ` (${options.title})` : ""} from any mirror: ${failures.join("; ")}. ` +
      "Check the network, or get the files another way and pass --data DIR",
  );
}

/** Collects network chunks until at least two bytes are known, so gzip can be sniffed. */
async function peek(chunks: AsyncGenerator<Uint8Array>): Promise<Uint8Array> {
  let head = new Uint8Array(0);
  while (head.length < 2) {
    const next = await chunks.next();
    if (next.done) break;
    const joined = new Uint8Array(head.length + next.value.length);
    joined.set(head);
    joined.set(next.value, head.length);
    head = joined;
  }
  return head;
}

async function fetchVerified(url: string, file: DatasetFile, partial: string, options: DownloadOptions): Promise<void> {
  const { stallTimeoutMs = DEFAULT_STALL_MS, timeoutMs = DEFAULT_TIMEOUT_MS, onProgress } = options;
  const controller = new AbortController();
  let abortReason: string | undefined;
  const abort = (why: string): void => {
    abortReason ??= why;
    controller.abort(new Error(why));
  };
  let stall: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(stall);
    stall = setTimeout(() => abort(`no data for ${stallTimeoutMs / 1000} s (stalled)`), stallTimeoutMs);
  };
  const overall = setTimeout(() => abort(`not finished after ${timeoutMs / 1000} s`), timeoutMs);
  touch();
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    const total = Number(response.headers.get("content-length")) || undefined;
    let received = 0;
    onProgress?.({ file: file.name, url, phase: "start", received, total });
    const reader = response.body.getReader();
    const network = async function* (): AsyncGenerator<Uint8Array> {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.length;
        touch();
        onProgress?.({ file: file.name, url, phase: "progress", received, total });
        yield value;
      }
    };
    const chunks = network();
    // Mirrors serve .gz files, but a server may hand out the decoded bytes: sniff rather than assume.
    const head = await peek(chunks);
    const gzip = head[0] === 0x1f && head[1] === 0x8b;
    const body = Readable.from((async function* () {
      if (head.length > 0) yield head;
      yield* chunks;
    })());
    const hash = createHash("sha256");
    let size = 0;
    const check = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        // Stop early rather than fill the disk with something that is not this file.
        if (size > file.bytes) return done(new Error(`more than the expected ${file.bytes} bytes after decompression`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const sink = createWriteStream(partial, { flags: "wx" });
    if (gzip) await pipeline(body, createGunzip(), check, sink, { signal: controller.signal });
    else await pipeline(body, check, sink, { signal: controller.signal });
    if (size !== file.bytes) throw new Error(`${size} bytes after decompression, expected ${file.bytes}: incomplete download`);
    const sha256 = hash.digest("hex");
    if (sha256 !== file.sha256) throw new Error(`SHA-256 of the decompressed data is ${sha256}, expected ${file.sha256}`);
    const handle = await open(partial, "r+");
    await handle.sync().finally(() => handle.close()); // on disk before the rename makes it visible
    onProgress?.({ file: file.name, url, phase: "done", received, total });
  } catch (error) {
    if (abortReason !== undefined) throw new Error(abortReason);
    throw error;
  } finally {
    clearTimeout(stall);
    clearTimeout(overall);
    controller.abort(); // releases the connection when the body was not read to the end
  }
}
