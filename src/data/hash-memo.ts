// Remembers the SHA-256 of files' (decompressed) contents, keyed by path + size + mtime + inode, so a
// verified 55 MB data set is not re-hashed on every load. Node only.
//
// Why this is safe: an entry is used only while the file's size, modification time (ns precision on
// Linux) and inode are all unchanged; writing or replacing the file changes at least one of them, so
// the file is hashed again. Entries are written only after hashing the bytes actually read. Losing or
// corrupting the memo costs one re-hash, never a wrong answer; concurrent writers may drop an entry.

import type { Stats } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "./files.ts";

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  /** SHA-256 of the decompressed contents. */
  sha256: string;
  /** Whether the file itself is gzip-compressed. */
  gzip: boolean;
}

/** What the memo knows about a file's contents. */
export interface MemoHit {
  sha256: string;
  gzip: boolean;
}

export class HashMemo {
  private readonly entries: Map<string, Entry>;
  private changed = false;

  private constructor(readonly file: string, entries: Map<string, Entry>) {
    this.entries = entries;
  }

  /** Opens the memo stored at `file`; a missing or unreadable memo starts empty. */
  static async open(file: string): Promise<HashMemo> {
    const entries = new Map<string, Entry>();
    try {
      const json: unknown = JSON.parse(await readFile(file, "utf8"));
      if (json && typeof json === "object") {
        for (const [path, e] of Object.entries(json as Record<string, Entry>)) {
          if (typeof e?.sha256 === "string" && typeof e.size === "number" && typeof e.mtimeMs === "number") {
            entries.set(path, e);
          }
        }
      }
    } catch {
      // Missing or corrupt: an empty memo only means hashing again.
    }
    return new HashMemo(file, entries);
  }

  /** The remembered contents hash of `path`, if `st` still matches what was recorded. */
  get(path: string, st: Stats): MemoHit | undefined {
    const e = this.entries.get(path);
    if (!e || e.size !== st.size || e.mtimeMs !== st.mtimeMs || e.ino !== st.ino) return undefined;
    return { sha256: e.sha256, gzip: e.gzip };
  }

  /** Records the contents hash of `path` as read when the file had stats `st`. */
  set(path: string, st: Stats, hit: MemoHit): void {
    this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: hit.sha256, gzip: hit.gzip });
    this.changed = true;
  }

  /** Writes the memo atomically if it changed. */
  async save(): Promise<void> {
    if (!this.changed) return;
    await mkdir(dirname(this.file), { recursive: true });
    const text = JSON.stringify(Object.fromEntries(this.entries), null, 1);
    await writeFileAtomic(this.file, new TextEncoder().encode(text));
    this.changed = false;
  }
}
