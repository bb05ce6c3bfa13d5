// IDX files (the MNIST format): bytes → images and labels, validated, plus the encoders. Pure and
// isomorphic: no `node:` imports, no I/O. Gzip is the caller's job (see gunzip.ts, or node:zlib).

/** IDX magic of an unsigned-byte 3-D array (images: count × rows × cols). */
export const IDX_IMAGES_MAGIC = 2051;
/** IDX magic of an unsigned-byte 1-D array (labels). */
export const IDX_LABELS_MAGIC = 2049;

export type IdxKind = "images" | "labels";

/** What an IDX header declares; `headerBytes + dataBytes` is the exact expected file length. */
export interface IdxHeader {
  kind: IdxKind;
  /** Number of items (images or labels). */
  n: number;
  /** Image height and width (1 × 1 for labels). */
  rows: number;
  cols: number;
  headerBytes: number;
  dataBytes: number;
}

/** Images of one IDX file: `pixels` is `[n, rows, cols]` row-major uint8 (a view into the input bytes). */
export interface IdxImages {
  n: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

/** Labels of one IDX file: class indices as uint8 (a view into the input bytes). */
export interface IdxLabels {
  n: number;
  labels: Uint8Array;
}

/** Names the file in messages; a path or URL. */
export interface IdxSource {
  source: string;
}

const FIX = "replace the file or delete it so it is fetched again";

/** Whether `bytes` start with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function describeMagic(magic: number): string {
  if (magic === IDX_IMAGES_MAGIC) return "an IDX images file (magic 2051)";
  if (magic === IDX_LABELS_MAGIC) return "an IDX labels file (magic 2049)";
  return `magic ${magic} (0x${magic.toString(16).padStart(8, "0")})`;
}

function expectedMagic(kind: IdxKind): string {
  return kind === "images"
    ? "an IDX images file (magic 2051 = 0x00000803: unsigned bytes, 3 dimensions)"
    : "an IDX labels file (magic 2049 = 0x00000801: unsigned bytes, 1 dimension)";
}

function readU32(bytes: Uint8Array, offset: number): number {
  // Big-endian ("MSB first") as the format requires; >>> 0 keeps it unsigned.
  return (((bytes[offset] as number) << 24) | ((bytes[offset + 1] as number) << 16) |
    ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number)) >>> 0;
}

/**
 * Validates an IDX header against the total file length and returns what it declares.
 * `head` must hold at least the header (16 bytes for images, 8 for labels) when the file is that long;
 * `totalLength` is the length of the whole (decompressed) file. Throws an error naming `source`,
 * what was expected and what was found: empty file, gzip bytes, wrong magic, zero sizes,
 * truncated data or extra bytes after the data.
 */
export function readIdxHeader(head: Uint8Array, totalLength: number, kind: IdxKind, { source }: IdxSource): IdxHeader {
  const want = expectedMagic(kind);
  if (totalLength === 0) throw new Error(`${source}: the file is empty (0 bytes); expected ${want}; ${FIX}`);
  if (isGzip(head)) {
    throw new Error(`${source}: the bytes are gzip-compressed; decompress them before parsing (expected ${want})`);
  }
  if (totalLength < 4 || head.length < 4) {
    throw new Error(`${source}: only ${totalLength} bytes, too short for an IDX header; expected ${want}; ${FIX}`);
  }
  const magic = readU32(head, 0);
  const wantMagic = kind === "images" ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
  if (magic !== wantMagic) {
    throw new Error(`${source}: found ${describeMagic(magic)}, expected ${want}`);
  }
  const dims = kind === "images" ? 3 : 1;
  const headerBytes = 4 + 4 * dims;
  if (totalLength < headerBytes || head.length < headerBytes) {
    throw new Error(`${source}: truncated: ${totalLength} bytes, shorter than the ${headerBytes}-byte IDX ${kind} header; ${FIX}`);
  }
  const n = readU32(head, 4);
  const rows = kind === "images" ? readU32(head, 8) : 1;
  const cols = kind === "images" ? readU32(head, 12) : 1;
  const what = kind === "images" ? `${n} images of ${rows}×${cols}` : `${n} labels`;
  if (n === 0) throw new Error(`${source}: the header declares 0 ${kind}; expected at least one`);
  if (rows === 0 || cols === 0) throw new Error(`${source}: the header declares images of ${rows}×${cols}; expected sizes ≥ 1`);
  const dataBytes = n * rows * cols;
  const expected = headerBytes + dataBytes;
  if (totalLength < expected) {
    throw new Error(
      `${source}: truncated: the header declares ${what} (${expected} bytes with the header) ` +
        `but the file has ${totalLength} bytes (${expected - totalLength} missing); ${FIX}`,
    );
  }
  if (totalLength > expected) {
    throw new Error(
      `${source}: ${totalLength - expected} extra bytes after the ${what} its header declares ` +
        `(expected ${expected} bytes, found ${totalLength}); ${FIX}`,
    );
  }
  return { kind, n, rows, cols, headerBytes, dataBytes };
}

/**
 * Parses an uncompressed IDX images file (magic 2051) of any image size.
 * Returns `pixels` `[n, rows, cols]` as a view into `bytes` (no copy).
 */
export function parseIdxImages(bytes: Uint8Array, options: IdxSource): IdxImages {
  const h = readIdxHeader(bytes, bytes.length, "images", options);
  return { n: h.n, rows: h.rows, cols: h.cols, pixels: bytes.subarray(h.headerBytes) };
}

/**
 * Parses an uncompressed IDX labels file (magic 2049). With `numClasses`, every label must be in
 * `0..numClasses-1`. Returns `labels` `[n]` as a view into `bytes` (no copy).
 */
export function parseIdxLabels(bytes: Uint8Array, options: IdxSource & { numClasses?: number }): IdxLabels {
  const h = readIdxHeader(bytes, bytes.length, "labels", options);
  const labels = bytes.subarray(h.headerBytes);
  if (options.numClasses !== undefined) checkLabelRange(labels, options.numClasses, options);
  return { n: h.n, labels };
}

/** Throws, naming the first offending index, unless every label is in `0..numClasses-1`. */
export function checkLabelRange(labels: Uint8Array, numClasses: number, { source }: IdxSource): void {
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i] as number;
    if (k >= numClasses) {
      throw new Error(
        `${source}: label ${k} at index ${i} is out of range; expected class indices 0..${numClasses - 1} (${numClasses} classes)`,
      );
    }
  }
}

function header(magic: number, dims: readonly number[], dataBytes: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + dataBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic); // DataView writes big-endian by default
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return out;
}

/** Encodes `[n, rows, cols]` uint8 pixels as an IDX images file (the inverse of `parseIdxImages`). */
export function encodeIdxImages(pixels: Uint8Array, n: number, rows: number, cols: number): Uint8Array {
  if (pixels.length !== n * rows * cols) {
    throw new RangeError(`encodeIdxImages: ${pixels.length} pixels do not make ${n} images of ${rows}×${cols}`);
  }
  const out = header(IDX_IMAGES_MAGIC, [n, rows, cols], pixels.length);
  out.set(pixels, 16);
  return out;
}

/** Encodes uint8 class indices as an IDX labels file (the inverse of `parseIdxLabels`). */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = header(IDX_LABELS_MAGIC, [labels.length], labels.length);
  out.set(labels, 8);
  return out;
}
