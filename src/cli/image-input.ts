// A PNG of any size and colour type turned into a model input that looks like the training data:
// grey by Rec. 601 luminance, alpha composited on white, inverted when the border is light (the data
// set draws light objects on black), then area-averaged to rows × cols. Pure: bytes in, bytes out.

import { convertIndexedToRgb, decode, hasPngSignature } from "fast-png";

/** How `preparePngInput` describes what it did, in one line of help text. */
export const PNG_PREPROCESSING_HELP =
  "A PNG of any size or colour type (grey, grey+alpha, RGB, RGBA, palette; 1 to 16 bits) becomes the model's\n" +
  "input the way the training data looks: grey by luminance (Rec. 601: 0.299 R + 0.587 G + 0.114 B), alpha\n" +
  "composited on white, inverted if the background is light (decided by the mean of the border pixels: the\n" +
  "data set has light objects on black), then area-averaged (box filter) to the model's rows × cols\n" +
  "(stretched if the aspect ratio differs), rounded to 0..255 and scaled by 1/255 like the training pixels.";

/** A decoded image in grey: `grey[y * width + x]` in [0, 1], alpha already composited on white. */
export interface GreyImage {
  grey: Float64Array;
  width: number;
  height: number;
  /** e.g. "100 × 100 RGBA, 8-bit". */
  description: string;
}

/** The model input made from an image, with what was done to it. */
export interface PreparedInput {
  /** rows × cols grey bytes, 0 = black, as the IDX files store pixels. */
  pixels: Uint8Array;
  /** Whether the image was inverted because its border was light. */
  inverted: boolean;
  /** Mean grey of the border pixels before inverting (0 black … 1 white). */
  borderMean: number;
  source: GreyImage;
}

const COLOR_NAMES: Record<number, string> = { 1: "grey", 2: "grey+alpha", 3: "RGB", 4: "RGBA" };

/** Unpacks 1-, 2- or 4-bit samples (rows padded to whole bytes) into one value per sample. */
function unpackBits(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)] ?? 0;
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/**
 * Decodes PNG bytes to grey in [0, 1]: Rec. 601 luminance of the colour, composited over white by its
 * alpha (tRNS transparency included). Throws naming `source` when the bytes are not a PNG or do not decode.
 */
export function decodePngGrey(bytes: Uint8Array, source: string): GreyImage {
  if (!hasPngSignature(bytes)) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new Error(
      `${source}: not a PNG image (it starts with ${head ? `bytes ${head}` : "nothing: the file is empty"}; a PNG starts with 89 50 4e 47 0d 0a 1a 0a); predict reads PNG files`,
    );
  }
  let png;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`${source}: could not decode the PNG (${error instanceof Error ? error.message : String(error)}); the file is damaged or truncated`);
  }
  const { width, height, depth } = png;
  const n = width * height;
  let channels = png.channels;
  let samples: ArrayLike<number> = png.data;
  let max = depth === 16 ? 65535 : 255;
  let kind = COLOR_NAMES[channels] ?? `${channels}-channel`;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
    max = 255;
    kind = `palette (${channels === 4 ? "RGBA" : "RGB"})`;
  } else if (depth < 8) {
    samples = unpackBits(png.data as Uint8Array, width, height, depth);
    max = (1 << depth) - 1;
  }
  if (samples.length < n * channels) throw new Error(`${source}: the PNG holds ${samples.length} samples, expected ${n * channels} for ${width} × ${height} ${kind}`);
  const key = png.palette ? undefined : png.transparency; // tRNS of grey/RGB: the one colour that is transparent
  const grey = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * channels;
    const c0 = samples[at] ?? 0;
    let lum: number;
    let alpha = 1;
    if (channels <= 2) {
      lum = c0 / max;
      if (channels === 2) alpha = (samples[at + 1] ?? max) / max;
      else if (key && key.length >= 1 && c0 === key[0]) alpha = 0;
    } else {
      const r = c0;
      const g = samples[at + 1] ?? 0;
      const b = samples[at + 2] ?? 0;
      lum = (0.299 * r + 0.587 * g + 0.114 * b) / max;
      if (channels === 4) alpha = (samples[at + 3] ?? max) / max;
      else if (key && key.length >= 3 && r === key[0] && g === key[1] && b === key[2]) alpha = 0;
    }
    grey[i] = alpha * lum + (1 - alpha); // composited on white
  }
  return { grey, width, height, description: `${width} × ${height} ${kind}, ${depth}-bit` };
}

/** Mean of the pixels on the image's outer edge. */
export function borderMean(grey: Float64Array, width: number, height: number): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || y === height - 1 || x === 0 || x === width - 1) {
        sum += grey[y * width + x] ?? 0;
        count++;
      }
    }
  }
  return count > 0 ? sum / count : 0;
}

/**
 * Area-averaging resize (box filter): each output pixel is the mean of the source area it covers,
 * partial pixels weighted by their overlap. Works for shrinking and enlarging, any ratio.
 */
export function resizeArea(src: Float64Array, width: number, height: number, outWidth: number, outHeight: number): Float64Array {
  const out = new Float64Array(outWidth * outHeight);
  const sx = width / outWidth;
  const sy = height / outHeight;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += wx * wy * (src[y * width + x] ?? 0);
        }
      }
      out[oy * outWidth + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/** Grey in [0, 1] → bytes 0..255, rounded and clamped. */
function toBytes(values: Float64Array): Uint8Array {
  return Uint8Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** Turns a decoded image into a rows × cols input as described by `PNG_PREPROCESSING_HELP`. */
export function prepareInput(image: GreyImage, rows: number, cols: number): PreparedInput {
  const border = borderMean(image.grey, image.width, image.height);
  const inverted = border > 0.5;
  const grey = inverted ? image.grey.map((v) => 1 - v) : image.grey;
  return { pixels: toBytes(resizeArea(grey, image.width, image.height, cols, rows)), inverted, borderMean: border, source: image };
}

/** PNG bytes → the model's rows × cols input (see `PNG_PREPROCESSING_HELP`); errors name `source`. */
export function preparePngInput(bytes: Uint8Array, source: string, rows: number, cols: number): PreparedInput {
  return prepareInput(decodePngGrey(bytes, source), rows, cols);
}
