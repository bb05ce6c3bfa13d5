// The prediction grid on the page: inserts the worker's showImages SVG, makes each image a button (click,
// Enter or Space selects it) and outlines the selected one.

export class GridView {
  private selected: number | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly onSelect: (index: number) => void,
  ) {
    container.addEventListener("click", (event) => this.pick(event.target));
    container.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      this.pick(event.target);
    });
  }

  /** Shows a grid drawn by the worker (web/pictures.ts). */
  setSvg(svg: string): void {
    this.container.innerHTML = svg;
    const root = this.container.querySelector("svg");
    root?.style.setProperty("--natural-width", `${root.getAttribute("width")}px`);
    this.container.querySelectorAll(".cell").forEach((cell, i) => {
      const [truth = "", pred = "—"] = Array.from(cell.querySelectorAll("text"), (t) => t.textContent ?? "");
      cell.setAttribute("tabindex", "0");
      cell.setAttribute("role", "button");
      cell.setAttribute("aria-label", `test image ${i + 1}: ${truth}, predicted ${pred === "—" ? "nothing yet" : pred}`);
    });
    this.markSelection();
  }

  private pick(target: EventTarget | null): void {
    const cell = target instanceof Element ? target.closest(".cell") : null;
    const index = Number(cell?.getAttribute("data-index"));
    if (!cell || !Number.isInteger(index)) return;
    this.selected = index;
    this.markSelection();
    this.onSelect(index);
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
