// Pixel buffers for embedding in SVG: grey conversion, nearest-neighbour upscaling, a diverging colour
// map, and PNG data URIs (fast-png). Isomorphic: typed arrays in, strings out.

import { encode } from "fast-png";

/** Grey pixels: bytes 0–255, or floats in [0, 1] (Float32Array/Float64Array). */
export type GreyPixels = Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;

/** Grey pixels as bytes: floats in [0, 1] are scaled by 255 and clamped; NaN becomes 0. */
export function toBytes(pixels: GreyPixels): Uint8Array {
  if (pixels instanceof Uint8Array) return pixels;
  if (pixels instanceof Uint8ClampedArray) return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length);
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] ?? 0;
    out[i] = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255);
  }
  return out;
}

/**
 * Nearest-neighbour resize of an interleaved image (`channels` bytes per pixel) from width × height to
 * outWidth × outHeight; with integer factors every source pixel becomes an exact block.
 */
export function resizeNearest(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(height - 1, Math.floor((y * height) / outHeight));
    for (let x = 0; x < outWidth; x++) {
      const sx = Math.min(width - 1, Math.floor((x * width) / outWidth));
      const from = (sy * width + sx) * channels;
      const to = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c] ?? 0;
    }
  }
  return out;
}

const BASE64 = new TextEncoder().encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const PAD = 61; // "="

/** Node's Buffer, where there is one (this module also runs in browsers). */
const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): { toString(encoding: "base64"): string } } }).Buffer;

/** Standard base64 (RFC 4648, with padding) of `bytes`: Node's native encoder where there is one, else `base64Portable`. */
export function base64(bytes: Uint8Array): string {
  // The portable loop costs ≈ 16 ms per run folder on a cold thread (CPU profile of softmax train).
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return base64Portable(bytes);
}

/** Standard base64 of `bytes` in plain TypeScript (browsers). */
export function base64Portable(bytes: Uint8Array): string {
  // ASCII codes into one array, decoded once: a string built by += per character is many times slower.
  const codes = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let at = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    codes[at++] = BASE64[(n >> 18) & 63]!;
    codes[at++] = BASE64[(n >> 12) & 63]!;
    codes[at++] = i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! : PAD;
    codes[at++] = i + 2 < bytes.length ? BASE64[n & 63]! : PAD;
  }
  return new TextDecoder().decode(codes);
}

/** A zlib compression level: 0 stores the data, 9 compresses hardest. */
export type PngLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/**
 * A `data:image/png;base64,…` URI for an interleaved 8-bit image with 1 (grey) or 3 (RGB) channels.
 * `level` is the zlib level (default 3); 0 stores the pixels uncompressed: a larger URI, but no deflate work.
 */
export function pngDataUri(data: Uint8Array, width: number, height: number, channels: 1 | 3, level: PngLevel = 3): string {
  return `data:image/png;base64,${base64(encode({ width, height, data, channels, depth: 8 }, { zlib: { level } }))}`;
}

// A diverging map from blue (negative) through white (zero) to red (positive): ColorBrewer's RdBu
// stops in reverse, with a pure white centre.
const DIVERGING_STOPS: readonly (readonly [number, number, number])[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [255, 255, 255],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** The RGB colour for `t` in [-1, 1] (clamped): -1 dark blue, 0 white, +1 dark red. */
export function divergingColor(t: number): [number, number, number] {
  const clamped = Number.isNaN(t) ? 0 : Math.min(1, Math.max(-1, t));
  const pos = ((clamped + 1) / 2) * (DIVERGING_STOPS.length - 1);
  const i = Math.min(DIVERGING_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = DIVERGING_STOPS[i] ?? [255, 255, 255];
  const b = DIVERGING_STOPS[i + 1] ?? a;
  return [0, 1, 2].map((c) => Math.round((a[c] ?? 0) + f * ((b[c] ?? 0) - (a[c] ?? 0)))) as [number, number, number];
}
