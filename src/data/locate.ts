// Finds a data set's folder, first found wins: `--data DIR` → `SOFTMAX_DATA_DIR` → the user cache
// (`$XDG_CACHE_HOME` or `~/.cache`)`/softmax-regression/<name>` → `/usr/share/datasets/<name>` →
// download into the cache from the mirrors (unless offline). Node only.

import { join, resolve } from "node:path";
import { FASHION_MNIST, FILE_ROLES, getDatasetSpec, IDX_FILE_NAMES } from "./datasets.ts";
import type { DatasetName, DatasetSpec, FileRole } from "./datasets.ts";
import { downloadFiles } from "./download.ts";
import type { DownloadOptions } from "./download.ts";
import { statOrUndefined, userCacheRoot } from "./files.ts";
import type { HashMemo } from "./hash-memo.ts";

/** Where a data set was found: `option` = `--data DIR`, `env` = `SOFTMAX_DATA_DIR`. */
export type DataSource = "option" | "env" | "cache" | "system" | "download";

export interface LocateOptions extends DownloadOptions {
  /** A known data set name or a spec of one's own; default "fashion-mnist". */
  dataset?: DatasetName | DatasetSpec;
  /** A folder holding the four IDX files (or a `<name>/` subfolder holding them): `--data DIR`. */
  data?: string;
  /** Never download; fail with a message saying how to get the files. */
  offline?: boolean;
  /** Environment to read `SOFTMAX_DATA_DIR`, `XDG_CACHE_HOME`, `HOME` from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** This package's cache folder; default `userCacheRoot(env)`. */
  cacheRoot?: string;
  /** Where system packages put data sets; default `/usr/share/datasets`. */
  systemDir?: string;
}

export interface LocatedDataset {
  spec: DatasetSpec;
  /** The folder holding the files. */
  dir: string;
  source: DataSource;
  /** Path of each file (the uncompressed name when both it and `.gz` are there). */
  files: Record<FileRole, string>;
  cacheRoot: string;
  /** `<cacheRoot>/<spec.name>`: where verified decompressed copies and downloads go. */
  cacheDir: string;
}

/** Human words for each source, for reports. */
export const SOURCE_DESCRIPTIONS: Readonly<Record<DataSource, string>> = {
  option: "--data",
  env: "SOFTMAX_DATA_DIR",
  cache: "user cache",
  system: "system data sets",
  download: "downloaded into the user cache",
};

export const DEFAULT_SYSTEM_DIR = "/usr/share/datasets";

interface Found {
  files: Partial<Record<FileRole, string>>;
  missing: FileRole[];
}

/** The IDX files of `dir` by role, raw `<name>` preferred over `<name>.gz`, and the roles missing. */
export async function findIdxFiles(dir: string): Promise<Found> {
  const found: Found = { files: {}, missing: [] };
  for (const role of FILE_ROLES) {
    let path: string | undefined;
    for (const candidate of [join(dir, IDX_FILE_NAMES[role]), join(dir, `${IDX_FILE_NAMES[role]}.gz`)]) {
      if ((await statOrUndefined(candidate))?.isFile()) {
        path = candidate;
        break;
      }
    }
    if (path === undefined) found.missing.push(role);
    else found.files[role] = path;
  }
  return found;
}

function complete(found: Found): Record<FileRole, string> | undefined {
  return found.missing.length === 0 ? (found.files as Record<FileRole, string>) : undefined;
}

function missingNames(found: Found): string {
  return found.missing.map((role) => `${IDX_FILE_NAMES[role]}[.gz]`).join(", ");
}

/** An explicitly named folder must hold the data set (itself or its `<name>/` subfolder). */
async function explicitFolder(dir: string, label: string, spec: DatasetSpec): Promise<{ dir: string; files: Record<FileRole, string> }> {
  const abs = resolve(dir);
  const st = await statOrUndefined(abs);
  if (!st) throw new Error(`${label} ${dir}: no such folder; expected a folder holding the four IDX files`);
  if (!st.isDirectory()) throw new Error(`${label} ${dir}: not a folder; expected a folder holding the four IDX files`);
  const here = await findIdxFiles(abs);
  const hereFiles = complete(here);
  if (hereFiles) return { dir: abs, files: hereFiles };
  const sub = join(abs, spec.name);
  const nested = await findIdxFiles(sub);
  const nestedFiles = complete(nested);
  if (nestedFiles) return { dir: sub, files: nestedFiles };
  // Report the folder that holds more of the files.
  const [where, found] = nested.missing.length < here.missing.length ? [sub, nested] : [abs, here];
  throw new Error(`${label} ${dir}: ${where} is missing ${missingNames(found)}; expected the four IDX files of a data set`);
}

/** Resolves the `dataset` option to a spec (default Fashion-MNIST). */
export function resolveSpec(dataset: DatasetName | DatasetSpec | undefined): DatasetSpec {
  if (dataset === undefined) return FASHION_MNIST;
  return typeof dataset === "string" ? getDatasetSpec(dataset) : dataset;
}

/**
 * Finds the data set's folder (see the file header for the order) and, when it is nowhere and
 * `offline` is not set, downloads the missing files into the cache. Does not read or verify the
 * files; `loadDataset` does. Throws saying where it looked and how to get the files.
 */
export async function locateDataset(options: LocateOptions & { memo?: HashMemo } = {}): Promise<LocatedDataset> {
  const spec = resolveSpec(options.dataset);
  const env = options.env ?? process.env;
  const cacheRoot = options.cacheRoot ?? userCacheRoot(env);
  const cacheDir = join(cacheRoot, spec.name);
  const base = { spec, cacheRoot, cacheDir };

  if (options.data !== undefined) return { ...base, ...(await explicitFolder(options.data, "--data", spec)), source: "option" };
  const envDir = env["SOFTMAX_DATA_DIR"];
  if (envDir) return { ...base, ...(await explicitFolder(envDir, "SOFTMAX_DATA_DIR", spec)), source: "env" };

  const inCache = await findIdxFiles(cacheDir);
  const cacheFiles = complete(inCache);
  if (cacheFiles) return { ...base, dir: cacheDir, files: cacheFiles, source: "cache" };
  const systemDir = join(options.systemDir ?? DEFAULT_SYSTEM_DIR, spec.name);
  const inSystem = await findIdxFiles(systemDir);
  const systemFiles = complete(inSystem);
  if (systemFiles) return { ...base, dir: systemDir, files: systemFiles, source: "system" };

  if (options.offline) {
    const debian = spec.name === "fashion-mnist" ? ", install Debian's dataset-fashion-mnist package" : "";
    const state = (found: Found): string =>
      found.missing.length === FILE_ROLES.length ? "none of the files" : `missing ${missingNames(found)}`;
    throw new Error(
      `${spec.title} not found: looked in ${cacheDir} (${state(inCache)}) and ${systemDir} (${state(inSystem)}); ` +
        "offline, so not downloading. " +
        `Pass --data DIR (a folder with the four IDX files), set SOFTMAX_DATA_DIR${debian}, or drop --offline to download it`,
    );
  }
  const missing = inCache.missing.map((role) => spec.files[role]);
  await downloadFiles(missing, cacheDir, { ...options, mirrors: options.mirrors ?? spec.mirrors, title: spec.title });
  const downloaded = complete(await findIdxFiles(cacheDir));
  if (!downloaded) throw new Error(`${cacheDir}: files vanished right after downloading them`);
  return { ...base, dir: cacheDir, files: downloaded, source: "download" };
}
