// Node file helpers: atomic writes (temp file in the same folder, fsync, rename) and reading and writing
// model files by path. Node only; everything else in src/io works on bytes.

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic as writePartsAtomic } from "../data/files.ts";
import { decodeModel, encodeModel, type ModelExpectation, type SoftmaxModel } from "./model.ts";

/** A temp path beside `path` (same folder, so the final rename stays on one file system). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

function asBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

/** Flushes a folder's entry table so a rename survives a crash (best effort: some systems cannot open folders). */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the new one, never a partial one
 * (the data layer's temp-file + fsync + rename writer); on failure the error names `path`.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writePartsAtomic(path, asBytes(data));
  } catch (error) {
    throw new Error(`could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
  await syncFolder(dirname(path));
}

/** `writeFileAtomic` for synchronous callers (same guarantees). */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const temp = tempPathFor(path);
  const bytes = asBytes(data);
  try {
    const fd = openSync(temp, "wx", 0o644);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    try {
      const dir = openSync(dirname(path), "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // as in syncFolder: best effort
    }
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file was never created or is already gone
    }
    throw new Error(`could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads a whole file, with an error that names the file and the likely fix. */
export async function readFileBytes(path: string, what = "file"): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${what} not found: ${path} (check the path)`, { cause: error });
    if (code === "EISDIR") throw new Error(`${what} ${path} is a folder, not a file`, { cause: error });
    throw new Error(`could not read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Saves a model as a safetensors file, atomically (the run folder's `model.safetensors`). */
export async function saveModel(path: string, model: SoftmaxModel): Promise<void> {
  await writeFileAtomic(path, encodeModel(model));
}

/**
 * Loads and validates a model file; errors name the file and what is wrong with it. Pass `expect` with
 * the data set's sizes to refuse a model trained on other data.
 */
export async function loadModel(path: string, options: { expect?: ModelExpectation } = {}): Promise<SoftmaxModel> {
  const bytes = await readFileBytes(path, "model file");
  return decodeModel(bytes, { source: path, ...(options.expect && { expect: options.expect }) });
}
