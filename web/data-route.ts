// The contract between the server's data route and the page: where the files are and what the
// manifest says. Types and one constant; shared by web/data-server.ts (Node) and the worker.

import type { FileRole } from "../src/data/datasets.ts";

/** The URL path the data route is mounted at. */
export const DATA_PATH = "/data/fashion-mnist";

/** GET DATA_PATH/manifest.json: the located folder and the name of each file under DATA_PATH. */
export interface DataManifest {
  dataset: string;
  title: string;
  /** The folder on the server's disk, for messages. */
  dir: string;
  /** How the server found it: "option" (--data), "env", "cache", "system" or "download". */
  source: string;
  files: Record<FileRole, { name: string; bytes: number; gzip: boolean }>;
}

/** The manifest's body when the server has no data set to serve (`missing`) or failed otherwise. */
export interface DataManifestError {
  error: string;
  missing?: boolean;
}
