// The learned weight templates: the CLI's weightsImage (one diverging-colour picture per class) at the
// largest scale that fits the card; before any model, a faded blank set keeps the card's size.

import { weightsImage } from "../../src/viz/weights.ts";

const LAYOUTS: readonly { gridCols: number; scale: number; fontSize: number }[] = [
  { gridCols: 5, scale: 3, fontSize: 12 },
  { gridCols: 5, scale: 2, fontSize: 11 },
  { gridCols: 3, scale: 2, fontSize: 11 },
];

export interface WeightsInput {
  W: Float32Array;
  inputs: number;
  classes: number;
  rows: number;
  cols: number;
  classNames: readonly string[];
}

export class WeightsView {
  private input: WeightsInput | undefined;
  private empty = true;
  private lastWidth = 0;
  /** The layout chosen for `lastWidth`: re-chosen (rendering each candidate) only when the width changes. */
  private layout: (typeof LAYOUTS)[number] | undefined;

  constructor(private readonly container: HTMLElement) {
    new ResizeObserver(() => {
      if (this.input && Math.round(this.container.clientWidth) !== this.lastWidth) this.render();
    }).observe(container);
  }

  /** Shows `W` ([inputs, classes]); `empty` draws it faded as a placeholder. */
  set(input: WeightsInput, options: { empty?: boolean } = {}): void {
    this.input = input;
    this.empty = options.empty ?? false;
    this.render();
  }

  render(): void {
    const input = this.input;
    if (!input) return;
    const width = Math.round(this.container.clientWidth);
    const draw = (layout: (typeof LAYOUTS)[number]): string =>
      weightsImage(input.W, input.inputs, input.classes, { rows: input.rows, cols: input.cols, classNames: input.classNames, ...layout });
    let svg = "";
    if (this.layout && width === this.lastWidth) {
      svg = draw(this.layout);
    } else {
      for (const layout of LAYOUTS) {
        svg = draw(layout);
        this.layout = layout;
        if (Number(/width="([\d.]+)"/.exec(svg)?.[1] ?? 0) <= width) break;
      }
    }
    this.lastWidth = width;
    this.container.innerHTML = svg;
    this.container.classList.toggle("empty", this.empty);
    const root = this.container.querySelector("svg");
    root?.style.setProperty("--natural-width", `${root.getAttribute("width")}px`);
  }
}
