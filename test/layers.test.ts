// Keeps the import directions of DESIGN.md honest: each layer of src/ imports only from the layers
// listed before it, the pictures take plain numbers (no engine imports), and the isomorphic entry
// (src/index.ts) reaches no Node module through its static imports.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const SRC = resolve(import.meta.dirname, "../src");
/** The layers, lowest first: a file may import from its own layer and the ones before it. */
const LAYERS = ["util", "kernels", "tensor", "nn", "data", "train", "viz", "io", "cli"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "assembly" ? [] : sourceFiles(path); // AssemblyScript, not TS
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The specifiers of a file's static imports and re-exports (`import type` included). */
function staticImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|^import\s+"([^"]+)"/gm)].map((m) => (m[1] ?? m[2])!);
}

function layerOf(path: string): string {
  return relative(SRC, path).split("/")[0]!;
}

test("layers: every file imports only from its own layer or the layers before it", () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = LAYERS.indexOf(layerOf(file));
    if (from < 0) continue; // src/index.ts, src/node.ts: the entries re-export every layer
    for (const spec of staticImports(file).filter((s) => s.startsWith("."))) {
      const target = layerOf(resolve(dirname(file), spec));
      if (LAYERS.indexOf(target) > from) violations.push(`${relative(SRC, file)} → ${spec}`);
    }
  }
  assert.deepEqual(violations, []);
});

test("layers: the pictures take plain numbers — src/viz imports nothing from the engine or the data", () => {
  const engine = new Set(["kernels", "tensor", "nn", "data", "train"]);
  const violations = sourceFiles(join(SRC, "viz")).flatMap((file) =>
    staticImports(file)
      .filter((spec) => spec.startsWith(".") && engine.has(layerOf(resolve(dirname(file), spec))))
      .map((spec) => `${relative(SRC, file)} → ${spec}`),
  );
  assert.deepEqual(violations, []);
});

test("layers: the isomorphic entry src/index.ts reaches no node: module and no native package", () => {
  const nodeOnlyPackages = new Set(["@resvg/resvg-js"]);
  const seen = new Set<string>();
  const offenders: string[] = [];
  const visit = (file: string, via: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith("node:") || nodeOnlyPackages.has(spec)) offenders.push([...via, relative(SRC, file), spec].join(" → "));
      else if (spec.startsWith(".")) visit(resolve(dirname(file), spec), [...via, relative(SRC, file)]);
    }
  };
  visit(join(SRC, "index.ts"), []);
  assert.ok(seen.size > 30, `walked only ${seen.size} files: the import scan is broken`);
  assert.deepEqual(offenders, []);
});

test("layers: the Node entry src/node.ts does reach node: modules (the scan sees them)", () => {
  // Guards the test above against a scanner that finds nothing.
  const direct = ["data/load.ts", "data/read.ts", "io/files.ts"].flatMap((f) => staticImports(join(SRC, f)));
  assert.ok(direct.some((spec) => spec.startsWith("node:")));
});
