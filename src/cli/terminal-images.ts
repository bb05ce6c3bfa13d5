// Grey images drawn in a colour terminal with Unicode half blocks: each character cell shows two pixels,
// the upper one as the foreground of "▀" and the lower one as its background, in 24-bit or 256-colour grey.

/** 24: true colour; 8: the 256-colour palette's grey ramp. */
export type TerminalColorDepth = 24 | 8;

const RESET = "\x1b[0m";

/** The nearest 256-colour palette entry to grey `v` (0..255): the 24-step ramp 232–255, or 16 (black) / 231 (white). */
export function grey256(v: number): number {
  // Ramp entry i (232 + i) is 8 + 10 i; black and white sit in the colour cube.
  const candidates: [number, number][] = [[16, 0], [231, 255]];
  for (let i = 0; i < 24; i++) candidates.push([232 + i, 8 + 10 * i]);
  let best = 16;
  let bestDistance = Infinity;
  for (const [code, level] of candidates) {
    const d = Math.abs(level - v);
    if (d < bestDistance) {
      bestDistance = d;
      best = code;
    }
  }
  return best;
}

function fg(v: number, depth: TerminalColorDepth): string {
  return depth === 24 ? `\x1b[38;2;${v};${v};${v}m` : `\x1b[38;5;${grey256(v)}m`;
}

function bg(v: number, depth: TerminalColorDepth): string {
  return depth === 24 ? `\x1b[48;2;${v};${v};${v}m` : `\x1b[48;5;${grey256(v)}m`;
}

/** One image as text lines of `width` cells and ceil(height / 2) lines (an odd last row gets a black lower half). */
export function halfBlockLines(pixels: Uint8Array, width: number, height: number, depth: TerminalColorDepth): string[] {
  const lines: string[] = [];
  for (let y = 0; y < height; y += 2) {
    let line = "";
    let lastFg = "";
    let lastBg = "";
    for (let x = 0; x < width; x++) {
      const top = fg(pixels[y * width + x] ?? 0, depth);
      const bottom = bg(y + 1 < height ? (pixels[(y + 1) * width + x] ?? 0) : 0, depth);
      // Only colour changes are written: flat backgrounds cost one escape per run, not per cell.
      line += `${top === lastFg ? "" : top}${bottom === lastBg ? "" : bottom}▀`;
      lastFg = top;
      lastBg = bottom;
    }
    lines.push(line + RESET);
  }
  return lines;
}

/** `text` cut or padded to `width` columns, centred. */
function centre(text: string, width: number): string {
  const cut = [...text].slice(0, width).join("");
  const left = Math.floor((width - cut.length) / 2);
  return " ".repeat(left) + cut + " ".repeat(width - cut.length - left);
}

/**
 * Images side by side, as many per row as fit in `columns`, each with its label centred under it.
 * Every image is `width` × `height` grey bytes. Returns the text to print (ends with a newline).
 */
export function halfBlockGrid(
  images: readonly Uint8Array[],
  labels: readonly string[],
  options: { width: number; height: number; columns: number; depth: TerminalColorDepth; gap?: number },
): string {
  const gap = options.gap ?? 2;
  const perRow = Math.max(1, Math.floor((options.columns + gap) / (options.width + gap)));
  const out: string[] = [];
  for (let start = 0; start < images.length; start += perRow) {
    const group = images.slice(start, start + perRow).map((img) => halfBlockLines(img, options.width, options.height, options.depth));
    const lineCount = Math.max(0, ...group.map((g) => g.length));
    for (let l = 0; l < lineCount; l++) out.push(group.map((g) => g[l] ?? " ".repeat(options.width)).join(" ".repeat(gap)));
    out.push(group.map((_, i) => centre(labels[start + i] ?? "", options.width)).join(" ".repeat(gap)).trimEnd());
    out.push("");
  }
  return out.join("\n");
}

/** The colour depth to draw with on `stream`, or undefined when images should not be drawn (no TTY, NO_COLOR, few colours). */
export function imageColorDepth(
  stream: { isTTY?: boolean; getColorDepth?(env?: Record<string, string | undefined>): number },
  env: Readonly<Record<string, string | undefined>>,
): TerminalColorDepth | undefined {
  if (stream.isTTY !== true || env["NO_COLOR"] || env["TERM"] === "dumb") return undefined;
  const colorterm = env["COLORTERM"] ?? "";
  if (/truecolor|24bit/i.test(colorterm)) return 24;
  const depth = stream.getColorDepth?.({ ...env }) ?? (/256/.test(env["TERM"] ?? "") ? 8 : 4);
  if (depth >= 24) return 24;
  if (depth >= 8) return 8;
  return undefined;
}
