// safetensors, bytes level: an 8-byte little-endian header length N, N bytes of JSON header, then the
// tensors' little-endian data in C order. Isomorphic; the reader validates everything and never evaluates.

/** dtypes the safetensors format defines; this project reads and writes F32 only. */
const KNOWN_DTYPES = new Set(["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "F8_E4M3", "F8_E5M2"]);

/** Largest header accepted (as the reference implementation: 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor: float32 values in C (row-major) order. */
export interface SafetensorsTensor {
  dtype: "F32";
  shape: number[];
  data: Float32Array;
}

/** A decoded file: tensors by name, and the string-to-string `__metadata__`. */
export interface Safetensors {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** A malformed or unsupported safetensors file; the message names the source and what was wrong. */
export class SafetensorsError extends Error {
  readonly source: string;
  constructor(source: string, problem: string) {
    super(`${source}: not a valid safetensors file: ${problem}`);
    this.name = "SafetensorsError";
    this.source = source;
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Encodes tensors and metadata as safetensors bytes. Tensors are stored in the order given; the header
 * is padded with spaces to a multiple of 8 bytes so the data section starts aligned.
 */
export function encodeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") throw new TypeError(`encodeSafetensors: metadata "${key}" must be a string (JSON-encode structured values)`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__" || name === "") throw new RangeError(`encodeSafetensors: "${name}" cannot name a tensor`);
    if (t.dtype !== "F32") throw new RangeError(`encodeSafetensors: tensor "${name}" has dtype ${String(t.dtype)}; only F32 is supported`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`encodeSafetensors: tensor "${name}" has an invalid shape [${t.shape.join(", ")}]`);
    if (product(t.shape) !== t.data.length) {
      throw new RangeError(`encodeSafetensors: tensor "${name}" has shape [${t.shape.join(", ")}] but ${t.data.length} values`);
    }
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(json);
    json = spaced;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true); // u64 little endian: low word, then a zero high word
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    for (const v of t.data) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return out;
}

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks one header entry and returns it in typed form. */
function parseEntry(source: string, name: string, value: unknown): Entry {
  const fail = (problem: string) => new SafetensorsError(source, `tensor "${name}": ${problem}`);
  if (!isRecord(value)) throw fail("header entry must be an object with dtype, shape and data_offsets");
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string") throw fail("dtype is missing");
  if (!KNOWN_DTYPES.has(dtype)) throw fail(`unknown dtype "${dtype}"`);
  if (dtype !== "F32") throw fail(`dtype ${dtype} is not supported (only F32)`);
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o): o is number => Number.isSafeInteger(o) && o >= 0)) {
    throw fail(`data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw fail(`data_offsets [${begin}, ${end}] end before they begin`);
  const needed = product(shape) * 4;
  if (end - begin !== needed) {
    throw fail(`shape [${shape.join(", ")}] needs ${needed} bytes of F32 but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, shape, begin, end };
}

/**
 * Decodes and validates safetensors bytes: header length against file size, UTF-8 JSON, dtypes, shapes
 * (product × 4 bytes = span), and offsets (in bounds, no overlap, no gap, covering the data exactly).
 * Throws `SafetensorsError` naming `options.source` (e.g. the file path) and the problem.
 */
export function decodeSafetensors(bytes: Uint8Array, options: { source?: string } = {}): Safetensors {
  const source = options.source ?? "safetensors data";
  const fail = (problem: string) => new SafetensorsError(source, problem);
  if (bytes.length < 8) throw fail(`truncated: ${bytes.length} bytes, but the file must start with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > bytes.length - 8) {
    throw fail(`header length ${headerLength} claims more bytes than the file has (${bytes.length} bytes in all; truncated or not safetensors)`);
  }
  if (headerLength > MAX_HEADER_BYTES) throw fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw fail("header is not valid UTF-8");
  }
  if (!text.startsWith("{")) throw fail("header must be a JSON object starting with '{'");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(header)) throw fail("header must be a JSON object");

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (!isRecord(value)) throw fail("__metadata__ must be an object of strings");
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== "string") throw fail(`__metadata__ value "${key}" must be a string, got ${JSON.stringify(v)}`);
        metadata[key] = v;
      }
    } else {
      entries.push(parseEntry(source, name, value));
    }
  }

  // The tensors must tile the data section exactly: sorted by offset, each begins where the last ended.
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.end > dataLength) {
      throw fail(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] are out of bounds: the data section has ${dataLength} bytes`);
    }
    if (e.begin < cursor && previous) {
      throw fail(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap tensor "${previous.name}" [${previous.begin}, ${previous.end}]`);
    }
    if (e.begin > cursor) throw fail(`tensor "${e.name}": ${e.begin - cursor} unused bytes before its data_offsets [${e.begin}, ${e.end}]`);
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) throw fail(`${dataLength - cursor} bytes after the last tensor are not described by the header`);

  const tensors: Record<string, SafetensorsTensor> = {};
  for (const e of entries) {
    const data = new Float32Array((e.end - e.begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + e.begin + i * 4, true);
    tensors[e.name] = { dtype: "F32", shape: e.shape, data };
  }
  return { tensors, metadata };
}
