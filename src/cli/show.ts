// `softmax show`: the first n images of a split with their labels (d2l: show_images), as a PNG file and,
// on a colour terminal, drawn right there with Unicode half blocks.

import { resolve } from "node:path";
import { loadDataset } from "../data/load.ts";
import { writeFileAtomic } from "../io/files.ts";
import { showImages } from "../viz/images.ts";
import { defineCommand } from "./command.ts";
import { dataOptions, loadOptionsFrom } from "./data-options.ts";
import { resizeArea } from "./image-input.ts";
import { requireDataFolder } from "./model-options.ts";
import { halfBlockGrid, imageColorDepth } from "./terminal-images.ts";

/** Terminal images are at most this many cells wide (larger images are area-averaged down). */
const MAX_TERMINAL_WIDTH = 28;

export const showCommand = defineCommand({
  name: "show",
  summary: "Show the first images of a split with their labels (PNG file, and in the terminal)",
  description:
    "Draws the first n images of the train or test split with their class names (d2l: show_images) into a\n" +
    "PNG file and prints its path. On a terminal with 256 or more colours (and NO_COLOR unset) the images are\n" +
    "also drawn right there, two pixels per character cell (▀ in grey foreground and background).",
  options: {
    split: { type: "string", valueName: "SPLIT", choices: ["train", "test"], defaultText: "train", description: "Which split's images" },
    n: { type: "integer", short: "n", valueName: "N", min: 1, max: 1000, defaultText: "10", description: "How many images, from the first" },
    out: { type: "string", valueName: "FILE.png", defaultText: "<dataset>-<split>.png", description: "Where to write the PNG" },
    ...dataOptions,
  },
  examples: [
    { command: "softmax show", description: "The first 10 training images of Fashion-MNIST" },
    { command: "softmax show --split test -n 18 --out test.png", description: "The first 18 test images, into test.png" },
    { command: "softmax show --dataset mnist -n 20", description: "MNIST digits" },
  ],
  async run(values, _positionals, io) {
    await requireDataFolder("show", values.data);
    const splitName = (values.split ?? "train") as "train" | "test";
    const { train, test, info } = await loadDataset(loadOptionsFrom(values, io));
    for (const note of info.notes) io.stderr.write(`note: ${note}\n`);
    const split = splitName === "train" ? train : test;
    const n = Math.min(values.n ?? 10, split.n);
    const size = split.rows * split.cols;
    const labels = Array.from(split.labels.subarray(0, n), (k) => info.classNames[k] ?? String(k));

    const numCols = Math.min(n, 10);
    const numRows = Math.ceil(n / numCols);
    const scale = Math.max(1, Math.round(84 / Math.max(split.rows, split.cols)));
    const svg = showImages({ data: split.images.subarray(0, n * size), rows: split.rows, cols: split.cols }, numRows, numCols, { titles: labels, scale });
    const out = values.out ?? `${info.known ? info.name : "images"}-${splitName}.png`;
    // Loaded here, not at start-up: resvg's native module costs ~0.1 s, and only --png needs it.
    const { svgToPng } = await import("../io/svgToPng.ts");
    await writeFileAtomic(out, svgToPng(svg, { scale: 2 }));

    const depth = imageColorDepth(io.stdout, io.env);
    if (depth !== undefined) {
      const width = Math.min(split.cols, MAX_TERMINAL_WIDTH);
      const height = Math.max(1, Math.round((split.rows * width) / split.cols));
      const images = Array.from({ length: n }, (_, i) => {
        const pixels = split.images.subarray(i * size, (i + 1) * size);
        if (width === split.cols && height === split.rows) return pixels;
        const small = resizeArea(Float64Array.from(pixels), split.cols, split.rows, width, height);
        return Uint8Array.from(small, (v) => Math.round(v));
      });
      io.stdout.write(halfBlockGrid(images, labels, { width, height, columns: (io.stdout.columns ?? 80) - 1, depth }));
    }
    io.stdout.write(`${n} ${splitName} image${n === 1 ? "" : "s"} of ${info.title} with labels: ${resolve(out)}\n`);
    return 0;
  },
});
