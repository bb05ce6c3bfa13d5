// `softmax data` end to end, as a child process: the real Fashion-MNIST report, bad command lines
// (exit 2, one line), a folder with a corrupt file (exit 1, the file named), help texts.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { makeIdxSet, tempDir, writeIdxSet } from "./helpers/data-fixtures.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `softmax <args>` through tsx with a private cache; never touches the user's cache. */
async function softmax(args: string[], cache: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: "1" };
  delete env["SOFTMAX_DATA_DIR"];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

test("softmax data: reports the real Fashion-MNIST: where, counts, size, classes, per-class counts, verified", async (t) => {
  const cache = await tempDir(t);
  const run = await softmax(["data", "--offline"], cache);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const out = run.stdout;
  assert.match(out, /^Fashion-MNIST \(fashion-mnist\)\n/);
  assert.match(out, /location +\/usr\/share\/datasets\/fashion-mnist {2}\(system data sets\)/);
  assert.match(out, /train +60,000 images/);
  assert.match(out, /test +10,000 images/);
  assert.match(out, /image +28 × 28 = 784 pixels/);
  assert.match(out, /classes +10\n/);
  assert.match(out, /hashes +verified/);
  for (const [k, name] of ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"].entries()) {
    assert.match(out, new RegExp(`\\n  ${k} ${name} +6,000 +1,000\\n`));
  }
  assert.match(out, /total +60,000 +10,000/);

  // The second run reads the verified decompressed copy from the (private) cache; --json for machines.
  const json = await softmax(["data", "--offline", "--json"], cache);
  assert.equal(json.code, 0, json.stderr);
  const info = JSON.parse(json.stdout) as { source: string; verified: boolean; dir: string; classCounts: { train: number[] } };
  assert.equal(info.source, "cache");
  assert.equal(info.verified, true);
  assert.equal(info.dir, join(cache, "softmax-regression", "fashion-mnist"));
  assert.deepEqual(info.classCounts.train, new Array(10).fill(6000));
});

test("softmax data: a bad --dataset, an unknown flag, a missing value exit 2 with one line", async (t) => {
  const cache = await tempDir(t);
  const cases: [string[], RegExp][] = [
    [["data", "--dataset", "cifar"], /^softmax data: --dataset must be one of fashion-mnist, mnist; got 'cifar'\n$/],
    [["data", "--colour"], /^softmax data: unknown option '--colour'; accepted: --dataset, --data, --offline, --json, --help\n$/],
    [["data", "--data"], /^softmax data: --data needs a value \(DIR\)\n$/],
    [["data", "extra"], /^softmax data: unexpected argument 'extra'; this command takes no arguments\n$/],
    [["trian"], /^softmax: unknown command 'trian'; commands: train, eval, predict, show, data, help\n$/],
  ];
  for (const [args, message] of cases) {
    const run = await softmax(args, cache);
    assert.equal(run.code, 2, args.join(" "));
    assert.match(run.stderr, message);
    assert.equal(run.stdout, "");
  }
});

test("softmax data: a folder with a corrupt file exits 1 with a message naming the file", async (t) => {
  const dir = await tempDir(t);
  await writeIdxSet(dir, makeIdxSet(), { gzip: true });
  await writeFile(join(dir, "train-labels-idx1-ubyte.gz"), Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3));
  const run = await softmax(["data", "--data", dir], join(dir, "cache"));
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`^softmax: error: ${dir}/train-labels-idx1-ubyte\\.gz: corrupt gzip data \\(.+\\); replace the file or delete it so it is fetched again\\n$`));
});

test("softmax help: global help, help <cmd> and <cmd> --help show usage and examples", async (t) => {
  const cache = await tempDir(t);
  const global = await softmax(["--help"], cache);
  assert.equal(global.code, 0);
  assert.match(global.stdout, /Usage: softmax <command> \[options\]/);
  assert.match(global.stdout, /Commands:\n(?: {2}\w+ +.+\n)* {2}data +Locate/);
  const viaHelp = await softmax(["help", "data"], cache);
  const viaFlag = await softmax(["data", "--help"], cache);
  assert.equal(viaHelp.code, 0);
  assert.equal(viaHelp.stdout, viaFlag.stdout);
  assert.match(viaFlag.stdout, /Usage: softmax data \[options\]/);
  assert.match(viaFlag.stdout, /--dataset NAME +Which data set to use \(one of: fashion-mnist, mnist; default: fashion-mnist\)/);
  assert.match(viaFlag.stdout, /Examples:\n {2}softmax data\n/);
});
