// safetensors bytes: round trip, golden bytes of a hand-built file, and every malformed case refused
// with a message naming the source and the problem.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../src/io/safetensors.ts";

/** A file from a header (object or raw text) and a data section. */
function craft(header: unknown, data: Uint8Array | number = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

const SOURCE = "runs/x/model.safetensors";
const PREFIX = /^runs\/x\/model\.safetensors: not a valid safetensors file: /;

function refuses(bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, { source: SOURCE }),
    (error: unknown) => {
      assert.ok(error instanceof SafetensorsError, `SafetensorsError, got ${String(error)}`);
      assert.match(error.message, PREFIX);
      assert.match(error.message, message);
      return true;
    },
  );
}

test("safetensors: golden bytes of a tiny file computed by hand", () => {
  const bytes = encodeSafetensors({ a: { dtype: "F32", shape: [2], data: Float32Array.from([1, -2]) } }, { k: "v" });
  const header = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  assert.equal(header.length, 79); // padded with one space to 80, a multiple of 8
  const expected = [
    ...[80, 0, 0, 0, 0, 0, 0, 0], // u64 little endian header length
    ...[...header].map((c) => c.charCodeAt(0)),
    0x20,
    ...[0x00, 0x00, 0x80, 0x3f], // 1.0f  = 0x3f800000, little endian
    ...[0x00, 0x00, 0x00, 0xc0], // -2.0f = 0xc0000000, little endian
  ];
  assert.deepEqual([...bytes], expected);
});

test("safetensors: round trip keeps names, shapes, values and metadata", () => {
  const W = Float32Array.from({ length: 12 }, (_, i) => (i - 5.5) / 7);
  const b = Float32Array.from([0.25, -0, Number.MIN_VALUE, 3.4e38]);
  const bytes = encodeSafetensors(
    { W: { dtype: "F32", shape: [3, 4], data: W }, b: { dtype: "F32", shape: [4], data: b }, empty: { dtype: "F32", shape: [0, 3], data: new Float32Array(0) } },
    { note: 'quotes " and ünïcode', json: JSON.stringify({ a: [1, 2] }) },
  );
  assert.equal((new DataView(bytes.buffer).getUint32(0, true) + 8) % 8, 0, "data section starts 8-byte aligned");
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(Object.keys(tensors), ["W", "b", "empty"]);
  assert.deepEqual(tensors.W?.shape, [3, 4]);
  assert.deepEqual(tensors.W?.data, W);
  assert.deepEqual(tensors.b?.data, b);
  assert.deepEqual(tensors.empty?.shape, [0, 3]);
  assert.deepEqual(metadata, { note: 'quotes " and ünïcode', json: '{"a":[1,2]}' });
  // Reading from an unaligned view of a bigger buffer works too.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.deepEqual(decodeSafetensors(shifted.subarray(3)).tensors.W?.data, W);
});

test("safetensors: the writer refuses what it cannot store", () => {
  assert.throws(() => encodeSafetensors({ a: { dtype: "F32", shape: [3], data: new Float32Array(2) } }), /tensor "a" has shape \[3\] but 2 values/);
  assert.throws(() => encodeSafetensors({ __metadata__: { dtype: "F32", shape: [0], data: new Float32Array(0) } }), /cannot name a tensor/);
  assert.throws(() => encodeSafetensors({}, { n: 1 as unknown as string }), /metadata "n" must be a string/);
});

test("safetensors refuses: truncated file", () => {
  refuses(new Uint8Array(5), /truncated: 5 bytes, but the file must start with an 8-byte header length/);
  const good = encodeSafetensors({ a: { dtype: "F32", shape: [2], data: new Float32Array(2) } });
  refuses(good.subarray(0, good.length - 4), /tensor "a": data_offsets \[0, 8\] are out of bounds: the data section has 4 bytes/);
});

test("safetensors refuses: header length claiming more bytes than the file has", () => {
  const bytes = new Uint8Array(100);
  new DataView(bytes.buffer).setUint32(0, 1000, true);
  refuses(bytes, /header length 1000 claims more bytes than the file has \(100 bytes in all/);
  new DataView(bytes.buffer).setUint32(4, 1, true); // 2^32 + 1000
  refuses(bytes, /header length 4294968296 claims more bytes/);
});

test("safetensors refuses: bad JSON, non-UTF-8 and non-object headers", () => {
  refuses(craft('{"a": {"dtype": '), /header is not valid JSON/);
  refuses(craft("[1, 2]"), /header must be a JSON object starting with '\{'/);
  const bytes = craft("{}");
  bytes[9] = 0xff;
  refuses(bytes, /header is not valid UTF-8/);
  refuses(craft({ __metadata__: { epochs: 10 } }), /__metadata__ value "epochs" must be a string, got 10/);
});

test("safetensors refuses: unknown or unsupported dtype", () => {
  refuses(craft({ a: { dtype: "Q7", shape: [2], data_offsets: [0, 8] } }, 8), /tensor "a": unknown dtype "Q7"/);
  refuses(craft({ a: { dtype: "F16", shape: [4], data_offsets: [0, 8] } }, 8), /tensor "a": dtype F16 is not supported \(only F32\)/);
});

test("safetensors refuses: shape and offsets that disagree, or are not integers", () => {
  refuses(craft({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8), /tensor "a": shape \[3\] needs 12 bytes of F32 but data_offsets \[0, 8\] span 8/);
  refuses(craft({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 8] } }, 8), /shape must be a list of non-negative integers/);
  refuses(craft({ a: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, 8), /data_offsets \[8, 0\] end before they begin/);
  refuses(craft({ a: { dtype: "F32", shape: [2], data_offsets: [0] } }, 8), /data_offsets must be \[begin, end\]/);
});

test("safetensors refuses: overlapping offsets, gaps, out of bounds and undescribed bytes", () => {
  const t = (begin: number, end: number) => ({ dtype: "F32", shape: [(end - begin) / 4], data_offsets: [begin, end] });
  refuses(craft({ a: t(0, 8), b: t(4, 12) }, 12), /tensor "b": data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/);
  refuses(craft({ a: t(0, 8), b: t(12, 20) }, 20), /tensor "b": 4 unused bytes before its data_offsets \[12, 20\]/);
  refuses(craft({ a: t(0, 8) }, 4), /tensor "a": data_offsets \[0, 8\] are out of bounds: the data section has 4 bytes/);
  refuses(craft({ a: t(0, 8) }, 12), /4 bytes after the last tensor are not described by the header/);
});
