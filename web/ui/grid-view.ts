// The prediction grid: the first test images drawn by the CLI's showImages (true / predicted titles,
// mistakes in red), as many columns as fit the card; a click or Enter on an image selects it.

import { gridLayout } from "../../src/viz/imageGrid.ts";
import { showImages } from "../../src/viz/images.ts";

/** Column counts that divide the 24 samples evenly, widest first, and the image scales to try. */
const LAYOUTS: readonly { cols: number; scale: number }[] = [
  { cols: 8, scale: 3 },
  { cols: 6, scale: 3 },
  { cols: 4, scale: 3 },
  { cols: 4, scale: 2 },
  { cols: 3, scale: 2 },
];
const FONT_SIZE = 12;

export interface GridSamples {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
  classNames: readonly string[];
}

export class GridView {
  private samples: GridSamples | undefined;
  private preds: Int32Array | undefined;
  private selected: number | undefined;
  private lastWidth = 0;

  constructor(
    private readonly container: HTMLElement,
    private readonly onSelect: (index: number) => void,
  ) {
    new ResizeObserver(() => {
      if (this.samples && Math.round(this.container.clientWidth) !== this.lastWidth) this.render();
    }).observe(container);
    container.addEventListener("click", (event) => this.pick(event.target));
    container.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      this.pick(event.target);
    });
  }

  /** The sample images and their true labels (predictions come later). */
  setSamples(samples: GridSamples): void {
    this.samples = samples;
    this.preds = undefined;
    this.render();
  }

  /** Each sample's predicted class (undefined: no model yet). */
  setPredictions(preds: Int32Array | undefined): void {
    this.preds = preds;
    this.render();
  }

  get count(): number {
    return this.samples?.labels.length ?? 0;
  }

  private pick(target: EventTarget | null): void {
    const cell = target instanceof Element ? target.closest(".cell") : null;
    const index = Number(cell?.getAttribute("data-index"));
    if (!cell || !Number.isInteger(index)) return;
    this.selected = index;
    this.markSelection();
    this.onSelect(index);
  }

  private titles(): { titles: string[]; marks: boolean[] } {
    const s = this.samples!;
    const name = (k: number): string => s.classNames[k] ?? String(k);
    const titles: string[] = [];
    const marks: boolean[] = [];
    for (let i = 0; i < s.labels.length; i++) {
      const truth = s.labels[i]!;
      const pred = this.preds?.[i];
      titles.push(`${name(truth)}\n${pred === undefined ? "—" : name(pred)}`);
      marks.push(pred !== undefined && pred !== truth);
    }
    return { titles, marks };
  }

  /** The widest layout whose natural width fits the card (else the narrowest). */
  private layoutFor(width: number, titles: string[]): { cols: number; scale: number } {
    const s = this.samples!;
    for (const layout of LAYOUTS) {
      const cells = titles.map((title) => ({ uri: "", width: s.cols * layout.scale, height: s.rows * layout.scale, title }));
      if (gridLayout(cells, Math.ceil(titles.length / layout.cols), layout.cols, { fontSize: FONT_SIZE }).width <= width) return layout;
    }
    return LAYOUTS[LAYOUTS.length - 1]!;
  }

  render(): void {
    const s = this.samples;
    if (!s) return;
    this.lastWidth = Math.round(this.container.clientWidth);
    const { titles, marks } = this.titles();
    const { cols, scale } = this.layoutFor(this.lastWidth, titles);
    const svg = showImages({ data: s.images, rows: s.rows, cols: s.cols }, Math.ceil(titles.length / cols), cols, { titles, marks, scale, fontSize: FONT_SIZE });
    this.container.innerHTML = svg;
    const root = this.container.querySelector("svg");
    root?.style.setProperty("--natural-width", `${root.getAttribute("width")}px`);
    this.container.querySelectorAll(".cell").forEach((cell, i) => {
      cell.setAttribute("tabindex", "0");
      cell.setAttribute("role", "button");
      const [truth, pred] = (titles[i] ?? "").split("\n");
      cell.setAttribute("aria-label", `test image ${i + 1}: ${truth}, predicted ${pred === "—" ? "nothing yet" : pred}`);
    });
    this.markSelection();
  }

  private markSelection(): void {
    this.container.querySelectorAll(".selection").forEach((rect) => rect.remove());
    if (this.selected === undefined) return;
    const cell = this.container.querySelector(`.cell[data-index="${this.selected}"]`);
    const image = cell?.querySelector("image");
    if (!cell || !image) return;
    const at = (name: string): number => Number(image.getAttribute(name));
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("class", "selection");
    rect.setAttribute("x", String(at("x") - 4));
    rect.setAttribute("y", String(at("y") - 4));
    rect.setAttribute("width", String(at("width") + 8));
    rect.setAttribute("height", String(at("height") + 8));
    rect.setAttribute("rx", "3");
    cell.append(rect);
  }
}
