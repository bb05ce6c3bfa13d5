// SVG text → PNG bytes in Node with resvg, with a real font loaded by file path so text never renders blank.
// Node only (native renderer, file system); the isomorphic SVG producers live in src/viz/.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Resvg, renderAsync } from "@resvg/resvg-js";
import type { ResvgRenderOptions } from "@resvg/resvg-js";

/** Font files tried first, in order: DejaVu Sans (matplotlib's default font) on Debian/Ubuntu, Fedora, Arch, macOS Homebrew. */
export const PREFERRED_FONT_FILES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/opt/homebrew/share/fonts/DejaVuSans.ttf",
];

/** Folders searched for any font when DejaVu Sans is missing. */
const SYSTEM_FONT_DIRS: readonly string[] = [
  "/usr/share/fonts",
  "/usr/local/share/fonts",
  "/System/Library/Fonts",
  "/Library/Fonts",
  "C:\\Windows\\Fonts",
];

const FONT_FILE = /\.(ttf|otf|ttc)$/i;

/** Whether `dir` holds at least one font file (searched a few levels deep). */
function hasFontFile(dir: string, depth = 3): boolean {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return false;
  }
  for (const name of entries) {
    if (FONT_FILE.test(name)) return true;
    if (depth > 0) {
      const path = join(dir, name);
      try {
        if (statSync(path).isDirectory() && hasFontFile(path, depth - 1)) return true;
      } catch {
        // unreadable entry: skip it
      }
    }
  }
  return false;
}

/** Options for `svgToPng`. */
export interface SvgToPngOptions {
  /** Zoom factor (2 gives a sharp image on high-density screens); default 1, so 1 SVG px = 1 PNG pixel. */
  scale?: number;
  /** Font files to use instead of the search (e.g. a bundled .ttf). */
  fontFiles?: readonly string[];
}

/**
 * Which fonts resvg should load: the given files, else DejaVu Sans by path, else the system fonts
 * (only if some font file exists). Throws a message saying what to install when there is none.
 */
export function resolveFonts(fontFiles?: readonly string[]): { fontFiles: string[]; loadSystemFonts: boolean } {
  if (fontFiles && fontFiles.length > 0) {
    const missing = fontFiles.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`svgToPng: font file not found: ${missing.join(", ")}`);
    return { fontFiles: [...fontFiles], loadSystemFonts: false };
  }
  const dejavu = PREFERRED_FONT_FILES.find((f) => existsSync(f));
  if (dejavu) {
    // Bold sits beside the regular face in every layout above.
    const bold = dejavu.replace(/DejaVuSans\.ttf$/, "DejaVuSans-Bold.ttf");
    return { fontFiles: existsSync(bold) ? [dejavu, bold] : [dejavu], loadSystemFonts: false };
  }
  const home = process.env.HOME;
  const dirs = [...SYSTEM_FONT_DIRS, ...(home ? [join(home, ".fonts"), join(home, ".local/share/fonts")] : [])];
  if (dirs.some((d) => hasFontFile(d))) return { fontFiles: [], loadSystemFonts: true };
  throw new Error(
    "svgToPng: no font found, so the PNG text would be blank. Install DejaVu Sans " +
      "(Debian/Ubuntu: apt-get install fonts-dejavu-core; Fedora: dnf install dejavu-sans-fonts) " +
      "or pass fontFiles: ['/path/to/font.ttf'].",
  );
}

/** resvg's options for `svgToPng` and `svgToPngAsync` (validates the scale, finds the fonts). */
function renderOptions(options: SvgToPngOptions, name: string): ResvgRenderOptions {
  const scale = options.scale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`${name}: scale must be a positive number, got ${scale}`);
  const fonts = resolveFonts(options.fontFiles);
  return {
    font: {
      fontFiles: fonts.fontFiles,
      loadSystemFonts: fonts.loadSystemFonts,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
    fitTo: scale === 1 ? { mode: "original" } : { mode: "zoom", value: scale },
    logLevel: "off",
  };
}

function bytesOf(png: Buffer): Uint8Array {
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Rasterises an SVG document (from `renderChartSvg`, `showImages`, `weightsImage`) to PNG bytes.
 * Example: `writeFileAtomic("curves.png", svgToPng(animator.toSvg()))`.
 */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Uint8Array {
  return bytesOf(new Resvg(svg, renderOptions(options, "svgToPng")).render().asPng());
}

/**
 * `svgToPng` off the main thread: resvg renders and encodes on libuv's thread pool, so several images
 * render at once (each PNG's encoding is most of its time) while JavaScript goes on. Same bytes.
 */
export async function svgToPngAsync(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  return bytesOf((await renderAsync(svg, renderOptions(options, "svgToPngAsync"))).asPng());
}
