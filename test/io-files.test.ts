// Atomic writes and model files on disk: replace-or-keep semantics, no temp files left behind (also when
// the disk refuses the write midway), and errors that name the file.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadModel, readFileBytes, saveModel, writeFileAtomic, writeFileAtomicSync } from "../src/io/files.ts";
import { PIXEL_PREPROCESSING, type SoftmaxModel } from "../src/io/model.ts";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "softmax-io-"));
}

test("writeFileAtomic: writes new files and replaces old ones, leaving no temp files", async () => {
  const dir = scratch();
  try {
    const path = join(dir, "metrics.csv");
    await writeFileAtomic(path, "epoch,loss\n");
    assert.equal(readFileSync(path, "utf8"), "epoch,loss\n");
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    writeFileAtomicSync(path, "sync\n");
    assert.equal(readFileSync(path, "utf8"), "sync\n");
    assert.deepEqual(readdirSync(dir), ["metrics.csv"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeFileAtomic: a missing folder fails with the path in the message", async () => {
  const dir = scratch();
  try {
    const path = join(dir, "no-such-folder", "curves.svg");
    await assert.rejects(writeFileAtomic(path, "<svg/>"), (e: Error) => e.message.startsWith(`could not write ${path}: `));
    assert.throws(() => writeFileAtomicSync(path, "<svg/>"), (e: Error) => e.message.startsWith(`could not write ${path}: `));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A real mid-write failure: a child process whose file-size limit (ulimit -f, 8 KiB) makes the kernel
// refuse a 64 KiB write part way with EFBIG. The old file must survive and no temp file may remain.
test("writeFileAtomic: a write that fails midway keeps the old file and removes the temp file", { skip: process.platform !== "linux" }, () => {
  const dir = scratch();
  try {
    const target = join(dir, "model.safetensors");
    writeFileSync(target, "old contents");
    const filesModule = resolve("src/io/files.ts");
    const script = join(dir, "child.mts");
    writeFileSync(
      script,
      `import { writeFileAtomic, writeFileAtomicSync } from ${JSON.stringify(filesModule)};
const big = new Uint8Array(64 * 1024).fill(7);
const errors = [];
try { await writeFileAtomic(${JSON.stringify(target)}, big); } catch (e) { errors.push(e.message); }
try { writeFileAtomicSync(${JSON.stringify(target)}, big); } catch (e) { errors.push(e.message); }
console.log(JSON.stringify(errors));
`,
    );
    const run = spawnSync("bash", ["-c", `ulimit -f 8 && trap '' XFSZ && exec "${process.execPath}" --import tsx "${script}"`], {
      encoding: "utf8",
      cwd: resolve("."),
    });
    assert.equal(run.status, 0, run.stderr);
    const errors = JSON.parse(run.stdout.trim().split("\n").pop() ?? "[]") as string[];
    assert.equal(errors.length, 2, `both writes fail: ${run.stdout}`);
    for (const message of errors) assert.match(message, new RegExp(`^could not write ${target}: .*(EFBIG|too large)`, "i"));
    assert.equal(readFileSync(target, "utf8"), "old contents");
    assert.deepEqual(readdirSync(dir).sort(), ["child.mts", "model.safetensors"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("saveModel / loadModel: a model survives the disk; bad files are refused by name", async () => {
  const dir = scratch();
  try {
    const model: SoftmaxModel = {
      W: Float32Array.from({ length: 8 }, (_, i) => i / 10),
      b: Float32Array.from([1, -1]),
      inputs: 4,
      classes: 2,
      classNames: ["no", "yes"],
      inputShape: [2, 2],
      preprocessing: PIXEL_PREPROCESSING,
      training: { epochs: 1 },
      metrics: { testAcc: 0.5 },
    };
    const path = join(dir, "model.safetensors");
    await saveModel(path, model);
    assert.deepEqual(await loadModel(path, { expect: { inputs: 4, classes: 2 } }), model);
    const message = (pattern: RegExp) => (e: Error) => pattern.test(e.message);
    await assert.rejects(loadModel(path, { expect: { inputs: 784 } }), message(new RegExp(`^${path}: the model takes 4 inputs`)));
    const bytes = await readFileBytes(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(loadModel(path), message(new RegExp(`^${path}: not a valid safetensors file: .*out of bounds`)));
    await assert.rejects(loadModel(join(dir, "missing.safetensors")), message(/^model file not found: .*missing\.safetensors \(check the path\)$/));
    await assert.rejects(loadModel(dir), message(/is a folder, not a file/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
