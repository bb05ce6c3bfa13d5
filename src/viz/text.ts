// Text helpers for the SVG renderers: XML escaping, number formatting for coordinates, and text width
// estimates from DejaVu Sans advance widths (the font the PNG path loads), so boxes fit their labels.

/** The font stack every SVG uses: DejaVu Sans is the matplotlib default, the rest are look-alike fallbacks. */
export const FONT_FAMILY = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";

// Advance widths of ASCII 32..126 in DejaVu Sans (Book), in font units of 2048 per em.
const SANS_WIDTHS = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303,
  1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540,
  604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
  799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
  1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];
// Same table for DejaVu Sans Bold.
const BOLD_WIDTHS = [
  713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425,
  1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714,
  762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748,
  936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
  1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
];

/**
 * Estimated width in px of `text` at `fontSize` px. Exact for ASCII in DejaVu Sans; other characters
 * count as a wide glyph (1 em), so estimates err on the roomy side.
 */
export function textWidth(text: string, fontSize: number, options: { bold?: boolean } = {}): number {
  const table = options.bold ? BOLD_WIDTHS : SANS_WIDTHS;
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    units += code >= 32 && code < 127 ? (table[code - 32] ?? 2048) : code === 0x2212 ? 1716 : 2048;
  }
  return (units / 2048) * fontSize;
}

/** A number label as typeset: a leading "-" becomes the minus sign U+2212, as matplotlib writes it. */
export function minusSign(label: string): string {
  return label.startsWith("-") ? `\u2212${label.slice(1)}` : label;
}

/** Distance from the top of a line box to the baseline, as a fraction of the font size (DejaVu Sans cap height ≈ 0.73 em). */
export const CAP_HEIGHT = 0.73;

/** Escapes the five XML special characters so any label is safe inside SVG text or attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&#39;";
    }
  });
}

/** A coordinate for SVG attributes: at most 2 decimals, no trailing zeros, never "NaN" (throws instead). */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`SVG coordinate must be finite, got ${value}`);
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** One `<text>` element; `anchor` is the SVG text-anchor, `y` is the baseline. */
export function svgText(
  x: number,
  y: number,
  text: string,
  options: { size: number; anchor?: "start" | "middle" | "end"; fill?: string; bold?: boolean; rotate?: number; className?: string },
): string {
  const attrs = [`x="${num(x)}"`, `y="${num(y)}"`, `font-size="${num(options.size)}"`];
  if (options.anchor && options.anchor !== "start") attrs.push(`text-anchor="${options.anchor}"`);
  if (options.fill) attrs.push(`fill="${options.fill}"`);
  if (options.bold) attrs.push(`font-weight="bold"`);
  if (options.rotate) attrs.push(`transform="rotate(${num(options.rotate)} ${num(x)} ${num(y)})"`);
  if (options.className) attrs.push(`class="${options.className}"`);
  return `<text ${attrs.join(" ")}>${escapeXml(text)}</text>`;
}
