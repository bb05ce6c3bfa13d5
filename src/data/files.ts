// Node file helpers of the data layer: SHA-256, atomic writes, stat without throwing, the user cache
// folder. Node only (the isomorphic data modules must not import this file).

import { createHash, randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { open, readdir, rename, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";

/** Lowercase hex SHA-256 of the concatenation of `parts`. */
export function sha256Hex(...parts: Uint8Array[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/** `stat(path)`, or undefined when nothing is there. */
export async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** A temporary name beside `path` (same folder, so the final rename is atomic), ending in `.partial`. */
export function partialPath(path: string): string {
  return join(dirname(path), `${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.partial`);
}

/**
 * Writes `parts` to `path` atomically: a temporary file in the same folder, fsync, then rename, so
 * readers see either the old file or the whole new one. The temporary file is removed on failure.
 */
export async function writeFileAtomic(path: string, ...parts: Uint8Array[]): Promise<void> {
  const temp = partialPath(path);
  try {
    const handle = await open(temp, "wx");
    try {
      for (const part of parts) {
        // A write may take fewer bytes than offered; loop until the part is all written.
        for (let done = 0; done < part.length; ) done += (await handle.write(part, done, part.length - done)).bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * This package's folder in the user cache: `$XDG_CACHE_HOME/softmax-regression`, or
 * `~/.cache/softmax-regression` when XDG_CACHE_HOME is unset, empty or relative (as the XDG spec asks).
 */
export function userCacheRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  const base = xdg && isAbsolute(xdg) ? xdg : join(env["HOME"] || homedir(), ".cache");
  return join(base, "softmax-regression");
}

/**
 * Removes `*.partial` files in `dir` not written to for `olderThanMs`: leftovers of a process that
 * was killed mid-write. A live writer touches its file at least once per stall timeout, so a
 * threshold well above that never removes a file still being written.
 */
export async function removeStalePartials(dir: string, olderThanMs = 10 * 60_000): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const now = Date.now();
  for (const name of names.filter((n) => n.endsWith(".partial"))) {
    const path = join(dir, name);
    const st = await statOrUndefined(path);
    if (st && now - st.mtimeMs > olderThanMs) await unlink(path).catch(() => undefined);
  }
}
