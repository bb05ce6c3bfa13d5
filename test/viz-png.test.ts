// PNG output through resvg: the chart, the image grid and the weights picture decode to the expected
// size, text is actually drawn, and image pixels land where the SVG put them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { renderChartSvg } from "../src/viz/chart.ts";
import { showImages } from "../src/viz/images.ts";
import { weightsImage } from "../src/viz/weights.ts";
import { resolveFonts, svgToPng } from "../src/io/svgToPng.ts";

const epochs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const chart = renderChartSvg({
  series: [
    { name: "train loss", x: epochs, y: [0.786, 0.57, 0.525, 0.501, 0.486, 0.474, 0.466, 0.459, 0.453, 0.448] },
    { name: "train acc", x: epochs, y: [0.748, 0.813, 0.826, 0.833, 0.837, 0.841, 0.843, 0.845, 0.847, 0.849] },
    { name: "test acc", x: epochs, y: [0.791, 0.807, 0.815, 0.812, 0.826, 0.826, 0.822, 0.833, 0.832, 0.834] },
  ],
  xlabel: "epoch",
  xlim: [1, 10],
  ylim: [0.3, 0.9],
});

/** Number of pixels that are clearly darker than white. */
function inkPixels(png: ReturnType<typeof decode>): number {
  let ink = 0;
  for (let i = 0; i < png.width * png.height; i++) if ((png.data[i * png.channels] ?? 255) < 160) ink++;
  return ink;
}

test("svgToPng: the chart decodes at the SVG's size, and at 2× when zoomed", () => {
  const png = decode(svgToPng(chart));
  assert.equal(png.width, 560);
  assert.equal(png.height, 400);
  const zoomed = decode(svgToPng(chart, { scale: 2 }));
  assert.deepEqual([zoomed.width, zoomed.height], [1120, 800]);
});

test("svgToPng: text is rendered (the chart has far more ink than the same chart without its text)", () => {
  const withText = inkPixels(decode(svgToPng(chart)));
  const withoutText = inkPixels(decode(svgToPng(chart.replace(/<text[^>]*>[^<]*<\/text>/g, ""))));
  // Tick labels, "epoch" and the three legend names: several hundred dark pixels of glyphs.
  assert.ok(withText - withoutText > 500, `text ink: ${withText - withoutText} pixels`);
});

test("svgToPng: image grid pixels land where the SVG places each image", () => {
  const rows = 28;
  const cols = 28;
  const n = 4;
  const data = new Uint8Array(n * rows * cols);
  for (let k = 0; k < n; k++) {
    data.fill(40 + 50 * k, k * rows * cols, (k + 1) * rows * cols);
    data[k * rows * cols + 5 * cols + 7] = 255; // pixel (r=5, c=7) is white in every image
  }
  const svg = showImages({ data, rows, cols }, 2, 2, { titles: ["a", "b", "c", "d"], scale: 3 });
  const png = decode(svgToPng(svg));
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  assert.deepEqual([png.width, png.height], [Number(size?.[1]), Number(size?.[2])]);
  const places = [...svg.matchAll(/<image class="cell-image" x="(\d+)" y="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  assert.equal(places.length, 4);
  const grey = (x: number, y: number) => png.data[(y * png.width + x) * png.channels];
  places.forEach(([x, y], k) => {
    for (let dy = 0; dy < 3; dy++) {
      for (let dx = 0; dx < 3; dx++) assert.equal(grey(x + 7 * 3 + dx, y + 5 * 3 + dy), 255, `image ${k} pixel (5, 7)`);
    }
    assert.equal(grey(x, y), 40 + 50 * k, `image ${k} top-left`);
    assert.equal(grey(x + 83, y + 83), 40 + 50 * k, `image ${k} bottom-right`);
    assert.equal(grey(x + 84, y + 30), 255, `white page right of image ${k}`);
  });
});

test("svgToPng: the weights picture decodes with red, white and blue pixels", () => {
  const W = new Float32Array(784 * 10);
  for (let i = 0; i < W.length; i++) W[i] = Math.sin(i / 50);
  const svg = weightsImage(W, 784, 10, { classNames: ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"] });
  const png = decode(svgToPng(svg));
  assert.deepEqual([png.width, png.height], [Number(/width="(\d+)"/.exec(svg)?.[1]), Number(/height="(\d+)"/.exec(svg)?.[1])]);
  let red = 0;
  let blue = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b] = [png.data[i * png.channels]!, png.data[i * png.channels + 1]!, png.data[i * png.channels + 2]!];
    if (r > b + 80 && r > g + 80) red++;
    if (b > r + 80) blue++;
  }
  assert.ok(red > 1000 && blue > 1000, `red ${red}, blue ${blue}`);
});

test("resolveFonts: DejaVu Sans is loaded by path; a missing font file is named in the error", () => {
  const fonts = resolveFonts();
  assert.ok(fonts.loadSystemFonts || fonts.fontFiles.some((f) => f.endsWith(".ttf")));
  assert.throws(() => resolveFonts(["/nonexistent/Font.ttf"]), /font file not found: \/nonexistent\/Font\.ttf/);
});
