// Reads one IDX file from disk, raw or gzip (sniffed by its first bytes, not its name), into a tight
// Uint8Array, with the SHA-256 of its decompressed bytes. Node only.

import type { Stats } from "node:fs";
import { open, readFile } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { HashMemo } from "./hash-memo.ts";
import { isGzip, readIdxHeader } from "./idx.ts";
import type { IdxHeader, IdxKind } from "./idx.ts";
import { sha256Hex } from "./files.ts";

/** One IDX file as read: `data` holds exactly the items (no header), `head` the header bytes. */
export interface IdxFile {
  path: string;
  header: IdxHeader;
  head: Uint8Array;
  data: Uint8Array;
  /** SHA-256 of the decompressed file (header + data). */
  sha256: string;
  /** Whether the file on disk is gzip-compressed. */
  gzip: boolean;
}

/**
 * Reads and validates (see `readIdxHeader`) the IDX file at `path`. The hash comes from `memo` when
 * the file is unchanged since it was last hashed, otherwise it is computed and recorded.
 * Throws naming the file: missing, empty, corrupt gzip, wrong magic, truncated, extra bytes.
 */
export async function readIdxFile(path: string, kind: IdxKind, memo: HashMemo): Promise<IdxFile> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${path}: no such file; expected an IDX ${kind} file there`);
    throw new Error(`${path}: cannot open (${code ?? String(error)})`);
  }
  try {
    const st = await handle.stat();
    const head = new Uint8Array(Math.min(16, st.size));
    await readExactly(handle, head, 0);
    const remembered = memo.get(path, st);
    if (isGzip(head)) {
      await handle.close();
      handle = undefined;
      return readGzipIdx(path, kind, await readFile(path), memo, st);
    }
    const header = readIdxHeader(head, st.size, kind, { source: path });
    const data = new Uint8Array(header.dataBytes);
    await readExactly(handle, data, header.headerBytes);
    const headBytes = head.slice(0, header.headerBytes);
    const sha256 = remembered?.sha256 ?? sha256Hex(headBytes, data);
    if (!remembered) memo.set(path, st, { sha256, gzip: false });
    return { path, header, head: headBytes, data, sha256, gzip: false };
  } finally {
    await handle?.close();
  }
}

async function readGzipIdx(path: string, kind: IdxKind, gz: Uint8Array, memo: HashMemo, st: Stats): Promise<IdxFile> {
  let bytes: Uint8Array;
  try {
    // Off the main thread (zlib's thread pool), so progress output keeps moving during the ~0.8 s.
    const buffer = await gunzipAsync(gz);
    // A plain Uint8Array view: Buffer#slice would return views, not the copies made below.
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${path}: corrupt gzip data (${reason}); replace the file or delete it so it is fetched again`);
  }
  const header = readIdxHeader(bytes, bytes.length, kind, { source: path });
  const remembered = memo.get(path, st)?.sha256;
  const sha256 = remembered ?? sha256Hex(bytes);
  if (!remembered) memo.set(path, st, { sha256, gzip: true });
  // Copy the items out so `data` owns its buffer exactly (transferable, no hidden header bytes).
  return { path, header, head: bytes.slice(0, header.headerBytes), data: bytes.slice(header.headerBytes), sha256, gzip: true };
}

const gunzipAsync = promisify(gunzip);

async function readExactly(handle: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error("file shrank while being read");
    done += bytesRead;
  }
}
