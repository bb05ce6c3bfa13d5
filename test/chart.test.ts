// The SVG line chart, its ticks and the Animator: structure checks on the SVG text (no snapshots).

import { test } from "node:test";
import assert from "node:assert/strict";
import { niceTicks, niceLimits } from "../src/viz/ticks.ts";
import { renderChartSvg } from "../src/viz/chart.ts";
import { chartGeometry } from "../src/viz/chartLayout.ts";
import { Animator, trainingAnimator } from "../src/viz/animator.ts";
import type { ChartOptions } from "../src/viz/chartTypes.ts";

const epochs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const trainLoss = [0.786, 0.57, 0.525, 0.501, 0.486, 0.474, 0.466, 0.459, 0.453, 0.448];
const trainAcc = [0.748, 0.813, 0.826, 0.833, 0.837, 0.841, 0.843, 0.845, 0.847, 0.849];
const testAcc = [0.791, 0.807, 0.815, 0.812, 0.826, 0.826, 0.822, 0.833, 0.832, 0.834];

function chapterChart(extra: Partial<ChartOptions> = {}): ChartOptions {
  return {
    series: [
      { name: "train loss", x: epochs, y: trainLoss },
      { name: "train acc", x: epochs, y: trainAcc },
      { name: "test acc", x: epochs, y: testAcc },
    ],
    xlabel: "epoch",
    xlim: [1, 10],
    ylim: [0.3, 0.9],
    ...extra,
  };
}

/** Attributes of the first element matching `tag` and `cls`. */
function attrs(svg: string, tag: string, cls: string): Record<string, string> {
  const m = new RegExp(`<${tag} class="${cls}"([^>]*)>`).exec(svg);
  assert.ok(m, `no <${tag} class="${cls}">`);
  return Object.fromEntries([...(m[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}

/** The `d` of each series' line path, by series index (undefined when the series has no path). */
function seriesPaths(svg: string): (string | undefined)[] {
  const groups = [...svg.matchAll(/<g class="series" data-series="(\d+)"[^>]*>([\s\S]*?)<\/g>/g)];
  return groups.map((g) => /<path class="line" d="([^"]*)"/.exec(g[2] ?? "")?.[1]);
}

/** Points of a path's M/L commands. */
function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** Text content of the <text> elements of a class inside a group. */
function texts(svg: string, groupClass: string): string[] {
  const g = new RegExp(`<g class="${groupClass}"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  assert.ok(g, `no group ${groupClass}`);
  return [...(g[1] ?? "").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? "");
}

test("niceTicks: d2l's [0.3, 0.9] gives 0.3 … 0.9 by 0.1 without float noise", () => {
  const t = niceTicks(0.3, 0.9);
  assert.deepEqual(t.labels, ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]);
  assert.deepEqual(t.values, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
});

test("niceTicks: steps are 1, 2, 2.5 or 5 × 10^k and stay within the tick budget", () => {
  assert.deepEqual(niceTicks(1, 10, { maxTicks: 6, integer: true }).labels, ["2", "4", "6", "8", "10"]);
  assert.deepEqual(niceTicks(0, 1, { maxTicks: 5 }).labels, ["0.00", "0.25", "0.50", "0.75", "1.00"]);
  assert.deepEqual(niceTicks(-0.2, 0.2, { maxTicks: 5 }).labels, ["-0.2", "-0.1", "0.0", "0.1", "0.2"]);
  assert.deepEqual(niceTicks(0, 3000, { maxTicks: 4 }).labels, ["0", "1000", "2000", "3000"]);
  for (const [lo, hi] of [[0.123, 0.987], [1e-4, 7e-4], [3, 1234]] as const) {
    const t = niceTicks(lo, hi, { maxTicks: 6 });
    assert.ok(t.values.length <= 6 && t.values.length >= 2, `${lo}..${hi}: ${t.labels}`);
    assert.ok(t.values.every((v) => v >= lo - 1e-12 && v <= hi + 1e-12));
    assert.ok(t.labels.every((l) => l.length <= 7), `short labels: ${t.labels}`);
  }
});

test("niceLimits: rounds data out to nice values and opens a zero-width range", () => {
  assert.deepEqual(niceLimits(0.42, 0.87), [0.4, 0.9]);
  assert.deepEqual(niceLimits(2, 2), [1.9, 2.1]);
});

test("chart: one path per series, points at the right pixels for known data", () => {
  const options = chapterChart();
  const svg = renderChartSvg(options);
  const plot = attrs(svg, "rect", "plot-area");
  const [x0, y0, w, h] = [plot.x, plot.y, plot.width, plot.height].map(Number) as [number, number, number, number];
  const paths = seriesPaths(svg);
  assert.equal(paths.length, 3);
  [trainLoss, trainAcc, testAcc].forEach((ys, s) => {
    const points = pathPoints(paths[s] ?? "");
    assert.equal(points.length, 10);
    points.forEach(([px, py], i) => {
      const ex = x0 + ((epochs[i]! - 1) / 9) * w;
      const ey = y0 + h - ((ys[i]! - 0.3) / 0.6) * h;
      // SVG coordinates carry 2 decimals: allow the rounding of the point and of the plot rectangle.
      assert.ok(Math.abs(px - ex) < 0.02 && Math.abs(py - ey) < 0.02, `series ${s} point ${i}: (${px}, ${py}) vs (${ex}, ${ey})`);
    });
  });
  // The layout helper agrees with what was drawn.
  const g = chartGeometry(options);
  assert.ok(Math.abs(g.plot.x - x0) < 0.01 && Math.abs(g.plot.width - w) < 0.01);
  assert.deepEqual(g.ylim, [0.3, 0.9]);
  // Grid lines at every y tick: 7 horizontal lines.
  assert.equal((attrs(svg, "path", "grid").d?.match(/H/g) ?? []).length, 7);
});

test("chart: d2l styles — solid blue, dashed magenta, dash-dot green", () => {
  const svg = renderChartSvg(chapterChart());
  const lines = [...svg.matchAll(/<path class="line" d="[^"]*" ([^>]*)\/>/g)].map((m) => m[1] ?? "");
  assert.match(lines[0] ?? "", /stroke="#1f77b4"/);
  assert.doesNotMatch(lines[0] ?? "", /dasharray/);
  assert.match(lines[1] ?? "", /stroke="#bf00bf".*stroke-dasharray="[\d.]+ [\d.]+"/);
  assert.match(lines[2] ?? "", /stroke="#008000".*stroke-dasharray="[\d.]+ [\d.]+ [\d.]+ [\d.]+"/);
});

test("chart: tick labels are present and nicely rounded; axis label and legend in order", () => {
  const svg = renderChartSvg(chapterChart());
  assert.deepEqual(texts(svg, "y-tick-labels"), ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]);
  const xs = texts(svg, "x-tick-labels");
  assert.ok(xs.length >= 4, `x ticks: ${xs}`);
  assert.ok(xs.every((l) => /^\d+$/.test(l)), `integer epoch ticks: ${xs}`);
  assert.match(svg, /<text [^>]*class="xlabel">epoch<\/text>/);
  const entries = [...svg.matchAll(/<g class="legend-entry" data-series="(\d)">[\s\S]*?<text[^>]*>([^<]*)<\/text>/g)];
  assert.deepEqual(entries.map((e) => e[2]), ["train loss", "train acc", "test acc"]);
  assert.deepEqual(entries.map((e) => e[1]), ["0", "1", "2"]);
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
});

test("chart: the legend goes where it covers no curve", () => {
  const svg = renderChartSvg(chapterChart());
  const location = /<g class="legend" data-location="([^"]+)">/.exec(svg)?.[1];
  // The curves fill the top band and the upper half of the left side; the empty area is low.
  assert.ok(location === "lower left" || location === "lower right" || location === "lower center", `legend at ${location}`);
});

test("chart: empty series and an empty chart render without NaN", () => {
  const svg = renderChartSvg({ series: [{ name: "train loss", x: [], y: [] }, { name: "test acc", x: [1, 2], y: [0.5, 0.6] }] });
  const paths = seriesPaths(svg);
  assert.equal(paths[0], undefined);
  assert.ok(paths[1]);
  assert.match(svg, /data-name="train loss"/);
  assert.equal([...svg.matchAll(/class="legend-entry"/g)].length, 2);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  const blank = renderChartSvg({ series: [] });
  assert.doesNotMatch(blank, /NaN|Infinity/);
  assert.match(blank, /data-xlim="0 1" data-ylim="0 1"/);
  // One point: a zero-width range is opened up instead of dividing by zero.
  assert.doesNotMatch(renderChartSvg({ series: [{ name: "a", x: [1], y: [0.5] }] }), /NaN|Infinity/);
});

test("chart: null and non-finite values leave gaps in the line", () => {
  const svg = renderChartSvg({ series: [{ name: "a", x: [1, 2, 3, 4, 5], y: [0.5, 0.6, null, Number.NaN, 0.7] }] });
  const d = seriesPaths(svg)[0] ?? "";
  assert.equal((d.match(/M/g) ?? []).length, 2);
  assert.equal(pathPoints(d).length, 3);
});

test("chart: labels, names and titles are XML-escaped", () => {
  const svg = renderChartSvg({
    series: [{ name: `loss <x> & "y"`, x: [1, 2], y: [1, 2] }],
    title: "a < b",
    xlabel: "x & y",
    ylabel: "it's",
  });
  assert.ok(svg.includes("loss &lt;x&gt; &amp; &quot;y&quot;"));
  assert.ok(svg.includes(">a &lt; b</text>"));
  assert.ok(svg.includes(">x &amp; y</text>"));
  assert.ok(svg.includes(">it&#39;s</text>"));
  assert.ok(!svg.includes("<x>") && !svg.includes("a < b"));
});

test("chart: data outside fixed limits widens them by default, or is clipped on request", () => {
  const series = [{ name: "loss", x: [1, 2, 3], y: [1.23, 0.7, 0.5] }];
  const widened = renderChartSvg({ series, xlim: [1, 3], ylim: [0.3, 0.9] });
  assert.match(widened, /data-ylim="0.3 1.3"/);
  assert.doesNotMatch(widened, /clip-path/);
  const clipped = renderChartSvg({ series, xlim: [1, 3], ylim: [0.3, 0.9], outside: "clip" });
  assert.match(clipped, /data-ylim="0.3 0.9"/);
  const clipId = /<clipPath id="([\w-]+)">/.exec(clipped)?.[1];
  assert.ok(clipId?.startsWith("plot-clip-"));
  assert.ok(clipped.includes(`<g class="series-group" clip-path="url(#${clipId})">`));
  assert.throws(() => renderChartSvg({ series, ylim: [1, 1] }), /ylim must be two finite numbers with min < max/);
});

test("chart: markers are drawn at every point when asked", () => {
  const svg = renderChartSvg({ series: [{ name: "a", x: [1, 2, 3], y: [1, 2, 3], marker: "circle" }], legend: "none" });
  assert.equal([...svg.matchAll(/<circle /g)].length, 3);
  assert.doesNotMatch(svg, /class="legend"/);
});

test("Animator: add() appends one point per curve; toSvg draws them (d2l Animator)", () => {
  const animator = new Animator({ xlabel: "epoch", xlim: [1, 10], ylim: [0.3, 0.9], legend: ["train loss", "train acc", "test acc"] });
  for (let i = 0; i < 3; i++) animator.add(epochs[i]!, [trainLoss[i]!, trainAcc[i]!, testAcc[i]!]);
  const series = animator.series;
  assert.deepEqual(series.map((s) => s.name), ["train loss", "train acc", "test acc"]);
  assert.deepEqual(series[0], { name: "train loss", x: [1, 2, 3], y: [0.786, 0.57, 0.525] });
  const svg = animator.toSvg();
  assert.equal(seriesPaths(svg).filter(Boolean).length, 3);
  assert.match(svg, /data-xlim="1 10" data-ylim="0.3 0.9"/);
  assert.match(svg, />epoch<\/text>/);
});

test("Animator: null values are skipped, scalars and per-curve x are accepted", () => {
  const animator = new Animator({ legend: ["train loss", "test acc"] });
  animator.add(0.5, [0.9, null]);
  animator.add(1, [0.7, 0.8]);
  animator.add([1.5, 2], [0.6, 0.82]);
  assert.deepEqual(animator.series[1], { name: "test acc", x: [1, 2], y: [0.8, 0.82] });
  assert.deepEqual(animator.series[0]?.x, [0.5, 1, 1.5]);
  const single = new Animator();
  single.add(1, 0.5);
  assert.deepEqual(single.series, [{ name: "", x: [1], y: [0.5] }]);
  assert.throws(() => animator.add([1, 2, 3], [1, 2]), /3 x values for 2 y values/);
  animator.clear();
  assert.deepEqual(animator.series[0]?.x, []);
});

test("trainingAnimator: d2l train_ch3's figure — epochs 1..N, y 0.3..0.9, the three curves", () => {
  const animator = trainingAnimator(10);
  animator.add(1, [0.79, 0.75, 0.78]);
  const svg = animator.toSvg();
  assert.match(svg, /data-xlim="1 10" data-ylim="0.3 0.9"/);
  assert.deepEqual(animator.series.map((s) => s.name), ["train loss", "train acc", "test acc"]);
  assert.throws(() => trainingAnimator(0), /numEpochs must be a positive integer/);
});
