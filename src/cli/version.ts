// The package's version, read from package.json (two folders up from src/cli and from dist/cli).

import { readFileSync } from "node:fs";

/** The version field of the package's package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
