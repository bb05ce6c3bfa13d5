// The page's two image pictures, drawn in the worker so the page's main thread only inserts them: the
// prediction grid (the CLI's showImages: true / predicted titles, mistakes in red) and the weight
// templates (the CLI's weightsImage), each at the largest layout whose drawn width fits the page's card.

import { gridLayout } from "../src/viz/imageGrid.ts";
import { showImages } from "../src/viz/images.ts";
import { weightsImage } from "../src/viz/weights.ts";

/** Grid layouts, widest first: column counts that divide the 24 samples evenly, and image scales. */
const GRID_LAYOUTS: readonly { cols: number; scale: number }[] = [
  { cols: 8, scale: 3 },
  { cols: 6, scale: 3 },
  { cols: 4, scale: 3 },
  { cols: 4, scale: 2 },
  { cols: 3, scale: 2 },
];
const GRID_FONT_SIZE = 12;

/** Weight-template layouts, largest first; three columns as the last resort on phones. */
const WEIGHT_LAYOUTS: readonly { gridCols: number; scale: number; fontSize: number }[] = [
  { gridCols: 5, scale: 3, fontSize: 12 },
  { gridCols: 5, scale: 2, fontSize: 11 },
  { gridCols: 3, scale: 2, fontSize: 11 },
];

/** The samples the grid shows: [n, rows, cols] uint8 images and their true labels. */
export interface Samples {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
  classNames: readonly string[];
}

/** The width attribute of an SVG document. */
function svgWidth(svg: string): number {
  return Number(/width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
}

export class Pictures {
  private gridWidth = 800;
  private weightsWidth = 500;
  private gridChoice: (typeof GRID_LAYOUTS)[number] | undefined;
  private weightsChoice: (typeof WEIGHT_LAYOUTS)[number] | undefined;

  constructor(private readonly samples: Samples) {}

  /** The cards' inner widths in CSS px; a change re-picks the layouts. */
  setWidths(grid: number, weights: number): void {
    if (grid !== this.gridWidth) this.gridChoice = undefined;
    if (weights !== this.weightsWidth) this.weightsChoice = undefined;
    this.gridWidth = grid;
    this.weightsWidth = weights;
  }

  /** The grid with each image's true label over its prediction (a dash before any model). */
  grid(preds: Int32Array | undefined): string {
    const s = this.samples;
    const name = (k: number): string => s.classNames[k] ?? String(k);
    const titles: string[] = [];
    const marks: boolean[] = [];
    for (let i = 0; i < s.labels.length; i++) {
      const pred = preds?.[i];
      titles.push(`${name(s.labels[i]!)}\n${pred === undefined ? "—" : name(pred)}`);
      marks.push(pred !== undefined && pred !== s.labels[i]);
    }
    this.gridChoice ??= this.pickGrid();
    const { cols, scale } = this.gridChoice;
    return showImages({ data: s.images, rows: s.rows, cols: s.cols }, Math.ceil(titles.length / cols), cols, { titles, marks, scale, fontSize: GRID_FONT_SIZE });
  }

  /** The widest grid layout that fits, sized for the longest class name on both title lines. */
  private pickGrid(): (typeof GRID_LAYOUTS)[number] {
    const s = this.samples;
    const longest = s.classNames.reduce((a, b) => (b.length > a.length ? b : a), "");
    for (const layout of GRID_LAYOUTS) {
      const cell = { uri: "", width: s.cols * layout.scale, height: s.rows * layout.scale, title: `${longest}\n${longest}` };
      const rows = Math.ceil(s.labels.length / layout.cols);
      if (gridLayout(Array.from({ length: layout.cols }, () => cell), rows, layout.cols, { fontSize: GRID_FONT_SIZE }).width <= this.gridWidth) return layout;
    }
    return GRID_LAYOUTS[GRID_LAYOUTS.length - 1]!;
  }

  /** The weight templates of W [inputs, classes] (zeros draw a blank set of the same size). */
  weights(W: Float32Array): string {
    const s = this.samples;
    const draw = (layout: (typeof WEIGHT_LAYOUTS)[number]): string =>
      weightsImage(W, s.rows * s.cols, s.classNames.length, { rows: s.rows, cols: s.cols, classNames: s.classNames, ...layout });
    if (this.weightsChoice) return draw(this.weightsChoice);
    let svg = "";
    for (const layout of WEIGHT_LAYOUTS) {
      svg = draw(layout);
      this.weightsChoice = layout;
      if (svgWidth(svg) <= this.weightsWidth) break;
    }
    return svg;
  }
}
