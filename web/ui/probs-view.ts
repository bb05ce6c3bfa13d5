// The selected test image's ten class probabilities as a small bar chart, with the image, its true
// class and the prediction (wrong predictions in red).

import { h } from "./dom.ts";
import { percent } from "./format.ts";

export interface ProbsInput {
  index: number;
  /** rows × cols grey pixels, 0..255. */
  pixels: Uint8Array;
  rows: number;
  cols: number;
  truth: number;
  classNames: readonly string[];
  /** One probability per class, or undefined when no model has run yet. */
  probs: Float32Array | undefined;
}

function imageCanvas(pixels: Uint8Array, rows: number, cols: number): HTMLCanvasElement {
  const canvas = h("canvas", { width: cols, height: rows, "aria-hidden": "true" });
  const context = canvas.getContext("2d");
  if (context) {
    const image = context.createImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) {
      const v = pixels[i] ?? 0;
      image.data.set([v, v, v, 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }
  return canvas;
}

/** Draws the panel for one image. */
export function renderProbs(panel: HTMLElement, input: ProbsInput): void {
  const { probs, classNames, truth } = input;
  const name = (k: number): string => classNames[k] ?? String(k);
  let pred = -1;
  if (probs) for (let k = 0; k < probs.length; k++) if (pred < 0 || probs[k]! > probs[pred]!) pred = k;
  const wrong = pred >= 0 && pred !== truth;
  const verdict = pred < 0 ? "no model yet" : wrong ? `predicted ${name(pred)} (wrong)` : `predicted ${name(pred)}`;
  const head = h(
    "div",
    { class: "probs-head" },
    imageCanvas(input.pixels, input.rows, input.cols),
    h("div", {}, h("p", {}, `Test image ${input.index + 1}: `, h("strong", {}, name(truth))), h("p", { class: `verdict${wrong ? " wrong" : ""}` }, verdict)),
  );
  const rows = classNames.map((_, k) => {
    const p = probs?.[k];
    const classes = ["prob-row", k === pred ? "predicted" : "", k === pred && wrong ? "wrong" : "", k === truth ? "truth" : ""].filter(Boolean).join(" ");
    return h(
      "div",
      { class: classes, "data-class": k, "data-probability": p === undefined ? undefined : String(p) },
      h("span", { class: "name", title: name(k) }, name(k)),
      h("span", { class: "track" }, h("span", { class: "fill", style: `display:block;width:${p === undefined ? 0 : Math.max(0, Math.min(100, p * 100)).toFixed(1)}%` })),
      h("span", { class: "num" }, p === undefined ? "–" : percent(p, p >= 0.995 || p < 0.0005 ? 0 : 1)),
    );
  });
  panel.replaceChildren(head, h("div", { class: "prob-rows", role: "list", "aria-label": "class probabilities" }, ...rows), h("p", { class: "legend" }, "bold: true class · blue: predicted"));
}
