// Lays out and draws a grid of embedded images with titles under each (one or more lines), optionally
// marked in red. Shared by showImages and weightsImage; pure geometry and SVG text.

import { CAP_HEIGHT, FONT_FAMILY, escapeXml, num, svgText, textWidth } from "./text.ts";

/** One cell: a PNG data URI drawn at width × height px, its title and whether it is marked. */
export interface GridCell {
  uri: string;
  width: number;
  height: number;
  title?: string;
  mark?: boolean;
}

/** Layout in px: every cell's image rectangle, and the whole SVG size. */
export interface GridLayout {
  width: number;
  height: number;
  cellWidth: number;
  cellHeight: number;
  images: { x: number; y: number; width: number; height: number }[];
}

export const MARK_COLOR = "#d62728";
const PAD = 8;

/** Where each cell's image goes (integer px, so pixel blocks land exactly in a rasterised PNG). */
export function gridLayout(
  cells: readonly GridCell[],
  numRows: number,
  numCols: number,
  options: { fontSize: number; extraWidth?: number },
): GridLayout {
  const fontSize = options.fontSize;
  const imageWidth = Math.max(0, ...cells.map((c) => c.width));
  const imageHeight = Math.max(0, ...cells.map((c) => c.height));
  const titleLines = Math.max(0, ...cells.map((c) => (c.title ? c.title.split("\n").length : 0)));
  const titleWidth = Math.max(0, ...cells.map((c) => Math.max(0, ...(c.title ?? "").split("\n").map((l) => textWidth(l, fontSize)))));
  const cellWidth = Math.ceil(Math.max(imageWidth, titleWidth + 4));
  const titleHeight = titleLines > 0 ? Math.ceil(fontSize * 0.35 + titleLines * fontSize * 1.2) : 0;
  const cellHeight = imageHeight + titleHeight;
  const gapX = Math.round(fontSize * 0.8);
  const gapY = Math.round(fontSize * 0.8);
  const images = cells.map((c, i) => {
    const r = Math.floor(i / numCols);
    const col = i % numCols;
    return {
      x: PAD + col * (cellWidth + gapX) + Math.floor((cellWidth - c.width) / 2),
      y: PAD + r * (cellHeight + gapY) + Math.floor((imageHeight - c.height) / 2),
      width: c.width,
      height: c.height,
    };
  });
  return {
    width: PAD * 2 + numCols * cellWidth + (numCols - 1) * gapX + (options.extraWidth ?? 0),
    height: PAD * 2 + numRows * cellHeight + (numRows - 1) * gapY,
    cellWidth,
    cellHeight,
    images,
  };
}

/**
 * The grid as SVG parts (without the `<svg>` wrapper): images (framed in `frame` colour if given) with `image-rendering="optimizeSpeed"` so
 * renderers keep pixels sharp when zoomed (the embedded PNGs are already upscaled to their drawn size), a red frame around marked images, centred titles (red when marked).
 */
export function gridSvg(
  cells: readonly GridCell[],
  layout: GridLayout,
  options: { fontSize: number; imageHeight: number; frame?: string },
): string[] {
  const { fontSize } = options;
  const out: string[] = [];
  cells.forEach((cell, i) => {
    const box = layout.images[i];
    if (!box) return;
    out.push(`<g class="cell${cell.mark ? " marked" : ""}" data-index="${i}">`);
    out.push(
      `<image class="cell-image" x="${num(box.x)}" y="${num(box.y)}" width="${num(box.width)}" height="${num(box.height)}"` +
        ` preserveAspectRatio="none" image-rendering="optimizeSpeed" href="${cell.uri}"/>`,
    );
    if (options.frame && !cell.mark) {
      out.push(
        `<rect class="frame" x="${num(box.x - 0.5)}" y="${num(box.y - 0.5)}" width="${num(box.width + 1)}" height="${num(box.height + 1)}" fill="none" stroke="${options.frame}" stroke-width="1"/>`,
      );
    }
    if (cell.mark) {
      out.push(
        `<rect class="mark" x="${num(box.x - 1.5)}" y="${num(box.y - 1.5)}" width="${num(box.width + 3)}" height="${num(box.height + 3)}" fill="none" stroke="${MARK_COLOR}" stroke-width="2"/>`,
      );
    }
    if (cell.title) {
      const cx = box.x + box.width / 2;
      const top = box.y - (box.height - options.imageHeight) / 2 + options.imageHeight + fontSize * 0.35;
      cell.title.split("\n").forEach((line, k) => {
        const y = top + k * fontSize * 1.2 + fontSize * CAP_HEIGHT + 1;
        out.push(svgText(cx, y, line, { size: fontSize, anchor: "middle", className: "title", ...(cell.mark && { fill: MARK_COLOR }) }));
      });
    }
    out.push(`</g>`);
  });
  return out;
}

/** Opens an SVG document of the given size with the shared font and a background. */
export function svgOpen(width: number, height: number, options: { label: string; background?: string }): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}"` +
      ` font-family="${FONT_FAMILY}" fill="#1a1a1a" role="img" aria-label="${escapeXml(options.label)}">`,
  ];
  const background = options.background ?? "#ffffff";
  if (background !== "none") out.push(`<rect class="background" width="100%" height="100%" fill="${escapeXml(background)}"/>`);
  return out;
}
