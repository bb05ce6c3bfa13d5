// weightsImage: the learned weight templates of a softmax-regression model, one rows × cols picture per
// class, in a diverging colour map (blue negative, white zero, red positive) on one symmetric scale.

import { gridLayout, gridSvg, svgOpen, type GridCell } from "./imageGrid.ts";
import { divergingColor, pngDataUri, resizeNearest, type PngLevel } from "./raster.ts";
import { niceTicks } from "./ticks.ts";
import { CAP_HEIGHT, minusSign, num, svgText, textWidth } from "./text.ts";

/** Options for `weightsImage`. */
export interface WeightsImageOptions {
  /** Image shape: rows × cols must equal `inputs` (default: the square root of `inputs`). */
  rows?: number;
  cols?: number;
  /** One name per class, drawn under its template. */
  classNames?: readonly string[];
  /** Templates per grid row (default 5: ten classes in 2 rows). */
  gridCols?: number;
  /** Drawn size per weight (default 3). */
  scale?: number;
  fontSize?: number;
  /**
   * Colours saturate at this quantile of |W| (default 0.995), so a few outlying weights do not wash out
   * every template; 1 uses max|W|. The scale is symmetric around zero either way.
   */
  quantile?: number;
  /** Draw the colour bar with the scale (default true). */
  colorBar?: boolean;
  /**
   * zlib level of the embedded PNGs (default 3). 0 stores the pixels: a several times larger document, but no
   * deflate work, for one that is rasterised at once (the run folder's PNGs) rather than kept.
   */
  pngLevel?: PngLevel;
}

/**
 * Pictures the columns of W: [inputs, classes] (row-major, W[i * classes + j] is input i's weight for
 * class j) as `classes` templates of rows × cols on one symmetric colour scale (see `quantile`): red
 * pixels raise a class's score, blue ones lower it, white ones do not matter. Returns an SVG document. (No d2l counterpart; the chapter shows
 * no weights.)
 */
export function weightsImage(W: Float32Array, inputs: number, classes: number, options: WeightsImageOptions = {}): string {
  if (W.length !== inputs * classes) {
    throw new RangeError(`weightsImage: W has ${W.length} values, expected inputs × classes = ${inputs} × ${classes} = ${inputs * classes}`);
  }
  const side = Math.round(Math.sqrt(inputs));
  const rows = options.rows ?? (options.cols ? inputs / options.cols : side);
  const cols = options.cols ?? inputs / rows;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows * cols === inputs)) {
    throw new RangeError(`weightsImage: image shape ${rows} × ${cols} does not hold ${inputs} inputs; pass { rows, cols }`);
  }
  if (options.classNames && options.classNames.length !== classes) {
    throw new RangeError(`weightsImage: ${options.classNames.length} class names for ${classes} classes`);
  }
  const scale = options.scale ?? 3;
  const fontSize = options.fontSize ?? 12;
  const gridCols = Math.min(classes, options.gridCols ?? 5);
  const gridRows = Math.ceil(classes / gridCols);
  const maxAbs = colorLimit(W, options.quantile ?? 0.995);
  const denom = maxAbs > 0 ? maxAbs : 1;
  const width = Math.round(cols * scale);
  const height = Math.round(rows * scale);
  const cells: GridCell[] = [];
  for (let j = 0; j < classes; j++) {
    const rgb = new Uint8Array(inputs * 3);
    for (let i = 0; i < inputs; i++) rgb.set(divergingColor((W[i * classes + j] ?? 0) / denom), i * 3);
    const name = options.classNames?.[j] ?? `class ${j}`;
    cells.push({ uri: pngDataUri(resizeNearest(rgb, cols, rows, 3, width, height), width, height, 3, options.pngLevel), width, height, title: name });
  }
  const showBar = options.colorBar ?? true;
  const ticks = niceTicks(-maxAbs, maxAbs, { maxTicks: 5 });
  const barLabelWidth = Math.max(...ticks.labels.map((l) => textWidth(minusSign(l), fontSize * 0.92))) + fontSize;
  const barWidth = Math.round(fontSize * 1.1);
  const extraWidth = showBar ? Math.ceil(fontSize + barWidth + 6 + barLabelWidth) : 0;
  const layout = gridLayout(cells, gridRows, gridCols, { fontSize, extraWidth });
  const out = [
    ...svgOpen(layout.width, layout.height, { label: `weight templates of ${classes} classes` }),
    // A light frame shows where each template ends: zero weights are as white as the page.
    ...gridSvg(cells, layout, { fontSize, imageHeight: height, frame: "#b0b0b0" }),
  ];
  if (showBar) out.push(...colorBarSvg(layout.width - extraWidth + fontSize, 8, barWidth, layout.height - 16, maxAbs, ticks, fontSize, options.pngLevel));
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** The `quantile` of |w| over the finite weights (0 when there are none). */
export function colorLimit(W: Float32Array, quantile: number): number {
  if (!(quantile > 0 && quantile <= 1)) throw new RangeError(`weightsImage: quantile must be in (0, 1], got ${quantile}`);
  const magnitudes = Float32Array.from(W.filter((w) => Number.isFinite(w)), (w) => Math.abs(w)).sort();
  if (magnitudes.length === 0) return 0;
  return magnitudes[Math.min(magnitudes.length - 1, Math.ceil(quantile * magnitudes.length) - 1)] ?? 0;
}

/** A vertical colour bar from -maxAbs (bottom) to +maxAbs (top) with tick labels on its right. */
function colorBarSvg(
  x: number,
  y: number,
  width: number,
  height: number,
  maxAbs: number,
  ticks: { values: number[]; labels: string[] },
  fontSize: number,
  pngLevel: PngLevel | undefined,
): string[] {
  const h = Math.max(2, Math.round(height));
  const rgb = new Uint8Array(h * 3);
  for (let k = 0; k < h; k++) rgb.set(divergingColor(1 - (2 * (k + 0.5)) / h), k * 3);
  const column = resizeNearest(rgb, 1, h, 3, width, h);
  const out = [
    `<g class="color-bar">`,
    `<image x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(h)}" preserveAspectRatio="none" href="${pngDataUri(column, width, h, 3, pngLevel)}"/>`,
    `<rect x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(h)}" fill="none" stroke="#000000" stroke-width="0.8"/>`,
  ];
  if (maxAbs > 0) {
    ticks.values.forEach((v, i) => {
      const ty = y + h / 2 - (v / maxAbs) * (h / 2);
      out.push(`<path d="M${num(x + width)} ${num(ty)}h4" stroke="#000000" stroke-width="0.8"/>`);
      out.push(svgText(x + width + 6, ty + (fontSize * CAP_HEIGHT) / 2, minusSign(ticks.labels[i] ?? ""), { size: fontSize * 0.92 }));
    });
  }
  out.push(`</g>`);
  return out;
}
