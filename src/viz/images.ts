// showImages: a grid of grey images with titles under them (true/predicted labels, mistakes in red),
// as a standalone SVG. Isomorphic; rasterise with svgToPng (src/io) for a PNG file.

import { gridLayout, gridSvg, svgOpen, type GridCell } from "./imageGrid.ts";
import { pngDataUri, resizeNearest, toBytes, type GreyPixels, type PngLevel } from "./raster.ts";

/** Grey images of rows × cols pixels each, back to back (C order): n = data.length / (rows * cols). */
export interface ImageBatch {
  data: GreyPixels;
  rows: number;
  cols: number;
}

/** Options for `showImages`. */
export interface ShowImagesOptions {
  /** One title per image; "\n" breaks it into lines (e.g. `${true}\n${predicted}`). */
  titles?: readonly string[];
  /** Drawn size per image pixel (default 3: a 28 × 28 image becomes 84 × 84 px). */
  scale?: number;
  /** Images to flag (e.g. wrong predictions): red frame and red title. */
  marks?: readonly boolean[];
  /** Title font size in px (default 12). */
  fontSize?: number;
  /** Draw dark pixels as light and vice versa (default false: 0 is black, as the data set stores it). */
  invert?: boolean;
  background?: string;
  /**
   * zlib level of the embedded PNGs (default 3). 0 stores the pixels: a several times larger document, but no
   * deflate work, for one that is rasterised at once (the run folder's PNGs) rather than kept.
   */
  pngLevel?: PngLevel;
}

/** Splits the input into one byte array per image, checking the sizes. */
export function splitImages(images: ImageBatch | readonly ImageBatch[]): { data: Uint8Array; rows: number; cols: number }[] {
  const batches = Array.isArray(images) ? (images as readonly ImageBatch[]) : [images as ImageBatch];
  const out: { data: Uint8Array; rows: number; cols: number }[] = [];
  for (const batch of batches) {
    const { rows, cols } = batch;
    if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
      throw new RangeError(`showImages: rows and cols must be positive integers, got ${rows} × ${cols}`);
    }
    const size = rows * cols;
    if (batch.data.length % size !== 0) {
      throw new RangeError(`showImages: ${batch.data.length} pixels is not a whole number of ${rows} × ${cols} images`);
    }
    const bytes = toBytes(batch.data);
    for (let at = 0; at < bytes.length; at += size) out.push({ data: bytes.subarray(at, at + size), rows, cols });
  }
  return out;
}

/**
 * Plots a grid of images with titles (d2l: `show_images(imgs, num_rows, num_cols, titles, scale)`).
 * The first numRows × numCols images are drawn row by row; extra images are ignored, missing ones leave
 * empty cells. Returns an SVG document; each image sits in an `<image class="cell-image">`.
 * NOTE: titles go under the images (d2l puts them above) so two-line true/predicted titles read downward.
 * @example
 * showImages({ data: X, rows: 28, cols: 28 }, 2, 9, { titles: labels.map(getLabel) })
 */
export function showImages(
  images: ImageBatch | readonly ImageBatch[],
  numRows: number,
  numCols: number,
  options: ShowImagesOptions = {},
): string {
  if (!(Number.isInteger(numRows) && Number.isInteger(numCols) && numRows > 0 && numCols > 0)) {
    throw new RangeError(`showImages: numRows and numCols must be positive integers, got ${numRows} × ${numCols}`);
  }
  const scale = options.scale ?? 3;
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`showImages: scale must be a positive number, got ${scale}`);
  const fontSize = options.fontSize ?? 12;
  const list = splitImages(images).slice(0, numRows * numCols);
  const cells: GridCell[] = list.map((img, i) => {
    const width = Math.max(1, Math.round(img.cols * scale));
    const height = Math.max(1, Math.round(img.rows * scale));
    const pixels = options.invert ? img.data.map((v) => 255 - v) : img.data;
    const title = options.titles?.[i];
    return {
      uri: pngDataUri(resizeNearest(pixels, img.cols, img.rows, 1, width, height), width, height, 1, options.pngLevel),
      width,
      height,
      ...(title !== undefined && { title }),
      ...(options.marks?.[i] === true && { mark: true }),
    };
  });
  const layout = gridLayout(cells, numRows, numCols, { fontSize });
  const imageHeight = Math.max(0, ...cells.map((c) => c.height));
  const label = `${list.length} image${list.length === 1 ? "" : "s"}`;
  return [...svgOpen(layout.width, layout.height, { label, ...(options.background && { background: options.background }) }), ...gridSvg(cells, layout, { fontSize, imageHeight }), `</svg>`].join("\n") + "\n";
}
