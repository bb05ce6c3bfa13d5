// Per-class test accuracy as a table of bars (as in the run report), from the same evaluation pass as
// the test accuracy; dashes before any model has been evaluated.

import type { ClassAccuracy } from "../messages.ts";
import { h } from "./dom.ts";
import { count, percent } from "./format.ts";

/** Fills `table` with one row per class. */
export function renderClasses(table: HTMLTableElement, classNames: readonly string[], perClass: readonly ClassAccuracy[] | undefined): void {
  const rows = classNames.map((name, k) => {
    const c = perClass?.[k];
    const accuracy = c?.accuracy ?? Number.NaN;
    const width = Number.isFinite(accuracy) ? (accuracy * 100).toFixed(1) : "0";
    return h(
      "tr",
      { "data-class": k },
      h("td", { class: "name" }, name),
      h("td", { class: "bar-cell" }, h("div", { class: "track" }, h("div", { class: `fill${accuracy < 0.7 ? " low" : ""}`, style: `width:${width}%` }))),
      h("td", { class: "num", title: c ? `${count(c.correct)} of ${count(c.count)} test images` : "" }, percent(accuracy, 1)),
    );
  });
  table.replaceChildren(h("tbody", {}, ...rows));
}
