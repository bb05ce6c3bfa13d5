// The run folder of `softmax train`: model.safetensors, metrics.csv, curves.svg/.png, predictions.png,
// weights.png, confusion.csv and report.html, every file written atomically. Node only.

import { mkdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { trainingAnimator } from "../viz/animator.ts";
import { showImages } from "../viz/images.ts";
import { weightsImage } from "../viz/weights.ts";
import { saveModel, writeFileAtomic } from "./files.ts";
import type { SoftmaxModel } from "./model.ts";
import { renderReport } from "./report.ts";
import type { EpochRow, ReportData } from "./report.ts";
import { svgToPngAsync } from "./svgToPng.ts";

/** PNGs are rendered at twice their CSS size, sharp on high-density screens. */
export const PNG_SCALE = 2;

/** Every file of a run folder, in the order they are written (report.html last: it links the others). */
export const RUN_FILES = [
  "model.safetensors",
  "metrics.csv",
  "curves.svg",
  "curves.png",
  "predictions.png",
  "weights.png",
  "confusion.csv",
  "report.html",
] as const;

/** A run's results, as the writer needs them. */
export interface RunRecord extends Omit<ReportData, "files" | "trainCount" | "testCount" | "rows" | "cols" | "classNames"> {
  model: SoftmaxModel;
  trainCount: number;
  testCount: number;
  /** The first test images ([n, rows, cols] uint8, n ≤ 18) with their true and predicted classes. */
  sample: { images: Uint8Array; trues: ArrayLike<number>; preds: ArrayLike<number> };
}

/** `2025-06-01_14-03-22` in local time: sorts by time and is safe on every file system. */
export function runFolderName(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

/**
 * Creates the folder a run writes into and returns its absolute path: `out` itself when given (created
 * if missing; files in it are replaced), else a new `runs/<time>` under `cwd` (`-2`, `-3`, … if taken).
 */
export async function makeRunFolder(options: { out?: string; cwd: string; date: Date }): Promise<string> {
  if (options.out !== undefined) {
    const dir = resolve(options.cwd, options.out);
    const st = await stat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) throw new Error(`--out ${options.out}: exists and is not a folder; expected a folder for the run's files`);
    await mkdir(dir, { recursive: true });
    return dir;
  }
  const parent = resolve(options.cwd, "runs");
  await mkdir(parent, { recursive: true });
  const name = runFolderName(options.date);
  for (let k = 1; ; k++) {
    const dir = join(parent, k === 1 ? name : `${name}-${k}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`could not create the run folder ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** metrics.csv: `epoch,train_loss,train_acc,test_acc,seconds`, one row per completed epoch, full precision. */
export function metricsCsv(history: readonly EpochRow[]): string {
  const rows = history.map((h) => [h.epoch, h.trainLoss, h.trainAcc, h.testAcc, Math.round(h.seconds * 1000) / 1000].join(","));
  return ["epoch,train_loss,train_acc,test_acc,seconds", ...rows].join("\n") + "\n";
}

/** confusion.csv: a header of class names, then one row per true class with its name and counts per predicted class. */
export function confusionCsv(classNames: readonly string[], confusion: readonly (readonly number[])[]): string {
  const header = ["true\\predicted", ...classNames].map(csvField).join(",");
  const rows = confusion.map((row, t) => [csvField(classNames[t] ?? String(t)), ...row].join(","));
  return [header, ...rows].join("\n") + "\n";
}

/** Drawn size per image pixel: about 84 px per image side, whatever the data set's image size. */
function pixelScale(rows: number, cols: number): number {
  return Math.max(1, Math.round(84 / Math.max(rows, cols)));
}

/** The width and height attributes of an SVG document's root element. */
function svgSize(svg: string): { width: number; height: number } {
  const head = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  return { width: Number(/\bwidth="([\d.]+)"/.exec(head)?.[1] ?? 0), height: Number(/\bheight="([\d.]+)"/.exec(head)?.[1] ?? 0) };
}

/** Options of `writeRunFolder`. */
export interface WriteRunOptions {
  /**
   * Called after each file with the milliseconds since the previous one (or the start) was written. The
   * three PNGs render together, started before the first file: their figures are the waits for them.
   */
  onWritten?: (name: (typeof RUN_FILES)[number], milliseconds: number) => void;
}

/** Writes every file of the run into `dir` (atomically, one by one) and returns their paths by name. */
export async function writeRunFolder(dir: string, run: RunRecord, options: WriteRunOptions = {}): Promise<Record<(typeof RUN_FILES)[number], string>> {
  const { model } = run;
  const [rows, cols] = model.inputShape;
  const path = (name: (typeof RUN_FILES)[number]) => join(dir, name);
  let mark = performance.now();
  const written = (name: (typeof RUN_FILES)[number]): void => {
    const now = performance.now();
    options.onWritten?.(name, now - mark);
    mark = now;
  };

  // The three pictures first: their PNGs render at once on the thread pool while the other files are written.
  const animator = trainingAnimator(run.numEpochs);
  for (const h of run.history) animator.add(h.epoch, [h.trainLoss, h.trainAcc, h.testAcc]);
  const curvesSvg = animator.toSvg();
  const n = run.sample.trues.length;
  const names = (k: number) => model.classNames[k] ?? String(k);
  const titles = Array.from({ length: n }, (_, i) => `${names(run.sample.trues[i] as number)}\n${names(run.sample.preds[i] as number)}`);
  const marks = Array.from({ length: n }, (_, i) => run.sample.trues[i] !== run.sample.preds[i]);
  // These two SVGs are only rasterised, never kept: their embedded PNGs skip compression (pngLevel 0).
  const predictionsSvg = showImages({ data: run.sample.images, rows, cols }, 2, 9, { titles, marks, scale: pixelScale(rows, cols), pngLevel: 0 });
  const weightsSvg = weightsImage(model.W, model.inputs, model.classes, {
    rows,
    cols,
    classNames: model.classNames,
    gridCols: model.classes <= 10 ? 5 : 10,
    scale: pixelScale(rows, cols),
    pngLevel: 0,
  });
  const renders = [curvesSvg, predictionsSvg, weightsSvg].map((svg) => svgToPngAsync(svg, { scale: PNG_SCALE }));
  // Each is awaited below in turn; until then a failure must not count as unhandled.
  for (const render of renders) render.catch(() => undefined);
  const [curvesRender, predictionsRender, weightsRender] = renders as [Promise<Uint8Array>, Promise<Uint8Array>, Promise<Uint8Array>];

  await saveModel(path("model.safetensors"), model);
  written("model.safetensors");
  await writeFileAtomic(path("metrics.csv"), metricsCsv(run.history));
  written("metrics.csv");
  await writeFileAtomic(path("curves.svg"), curvesSvg);
  written("curves.svg");
  await writeFileAtomic(path("curves.png"), await curvesRender);
  written("curves.png");
  const predictionsPng = await predictionsRender;
  await writeFileAtomic(path("predictions.png"), predictionsPng);
  written("predictions.png");
  const weightsPng = await weightsRender;
  await writeFileAtomic(path("weights.png"), weightsPng);
  written("weights.png");

  await writeFileAtomic(path("confusion.csv"), confusionCsv(model.classNames, run.confusion));
  written("confusion.csv");

  const report = renderReport(
    { ...run, rows, cols, classNames: model.classNames, files: RUN_FILES.filter((f) => f !== "report.html") },
    {
      curvesSvg,
      predictions: { png: predictionsPng, ...svgSize(predictionsSvg) },
      weights: { png: weightsPng, ...svgSize(weightsSvg) },
    },
  );
  await writeFileAtomic(path("report.html"), report);
  written("report.html");
  return Object.fromEntries(RUN_FILES.map((f) => [f, path(f)])) as Record<(typeof RUN_FILES)[number], string>;
}
