// The in-memory data set: one train and one test split of uint8 pixels and labels, built from parsed
// IDX files and cross-checked (counts agree, image sizes agree, labels in range). Pure, isomorphic.

import { checkLabelRange } from "./idx.ts";
import type { IdxImages, IdxLabels } from "./idx.ts";

/**
 * One split held once in memory: `images` is `[n, rows, cols]` row-major uint8 (0..255),
 * `labels` is `[n]` class indices in `0..numClasses-1`. Batches scale pixels to [0, 1] on the fly.
 * The pixels must not change once batches are drawn: a batch reads them when its values are first needed,
 * and the WebAssembly kernels keep a copy of them (make a new split to change the data).
 */
export interface DataSplit {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  rows: number;
  cols: number;
  numClasses: number;
}

/** Parsed IDX files of a train/test pair, with the name of each file for messages. */
export interface SplitFiles {
  trainImages: IdxImages;
  trainLabels: IdxLabels;
  testImages: IdxImages;
  testLabels: IdxLabels;
  sources: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
}

function split(images: IdxImages, labels: IdxLabels, imagesSource: string, labelsSource: string, numClasses: number): DataSplit {
  if (images.n !== labels.n) {
    throw new Error(
      `${imagesSource} has ${images.n} images but ${labelsSource} has ${labels.n} labels; ` +
        "expected one label per image (the two files do not belong together)",
    );
  }
  return { images: images.pixels, labels: labels.labels, n: images.n, rows: images.rows, cols: images.cols, numClasses };
}

function maxLabel(labels: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if ((labels[i] as number) > max) max = labels[i] as number;
  return max;
}

/**
 * Builds the train and test splits. `numClasses` is the data set's known class count (labels are
 * checked against it); without it, it is the largest label over both splits + 1.
 * Throws naming the files when image and label counts differ, train and test image sizes differ,
 * or a label is out of range.
 */
export function buildSplits(files: SplitFiles, options: { numClasses?: number } = {}): { train: DataSplit; test: DataSplit } {
  const { trainImages, testImages, sources } = files;
  if (trainImages.rows !== testImages.rows || trainImages.cols !== testImages.cols) {
    throw new Error(
      `${sources.trainImages} holds ${trainImages.rows}×${trainImages.cols} images but ${sources.testImages} holds ` +
        `${testImages.rows}×${testImages.cols}; expected one image size for both splits`,
    );
  }
  const numClasses = options.numClasses ?? Math.max(maxLabel(files.trainLabels.labels), maxLabel(files.testLabels.labels)) + 1;
  checkLabelRange(files.trainLabels.labels, numClasses, { source: sources.trainLabels });
  checkLabelRange(files.testLabels.labels, numClasses, { source: sources.testLabels });
  return {
    train: split(trainImages, files.trainLabels, sources.trainImages, sources.trainLabels, numClasses),
    test: split(testImages, files.testLabels, sources.testImages, sources.testLabels, numClasses),
  };
}

/** Number of examples of each class: `counts[k]` for k in `0..numClasses-1`. */
export function classCounts(split: DataSplit): number[] {
  const counts = new Array<number>(split.numClasses).fill(0);
  for (let i = 0; i < split.n; i++) counts[split.labels[i] as number]! += 1;
  return counts;
}
