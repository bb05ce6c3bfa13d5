// A small synthetic data set of uint8 "images" for training tests that must not need the real data.

import { Rng } from "../../src/tensor/random.ts";
import type { ByteExamples } from "../../src/train/fused.ts";

/** `n` examples of `inputs` pixels: class k lights band k of the pixels (150–249), the rest is noise (0–59). */
export function byteExamples(n: number, inputs: number, classes: number, seed: number): ByteExamples {
  const rng = new Rng(seed);
  const images = new Uint8Array(n * inputs);
  const labels = new Uint8Array(n);
  const band = Math.floor(inputs / classes);
  for (let i = 0; i < n; i++) {
    const label = rng.int(classes);
    labels[i] = label;
    for (let j = 0; j < inputs; j++) images[i * inputs + j] = Math.floor(j / band) === label ? 150 + rng.int(100) : rng.int(60);
  }
  return { images, labels, n };
}
