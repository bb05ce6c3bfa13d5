// report.html of a run folder as one self-contained string: inline CSS and SVG, PNGs as data: URIs,
// no scripts and no external requests. Pure and isomorphic: the run folder writer supplies the pictures.

import { base64 } from "../viz/raster.ts";
import { escapeXml } from "../viz/text.ts";
import { count } from "./count.ts";

/** One epoch's row of metrics.csv and of the report. */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  seconds: number;
}

/** What the report shows; everything but the pictures. */
export interface ReportData {
  /** The data set's display name, e.g. "Fashion-MNIST". */
  datasetTitle: string;
  /** The run's name (its folder), e.g. "2025-06-01_14-03-22". */
  runName: string;
  startedAt: Date;
  /** Wall time of the whole run in seconds. */
  seconds: number;
  numEpochs: number;
  history: readonly EpochRow[];
  /** Settings as label/value rows, in display order. */
  settings: readonly (readonly [string, string])[];
  trainCount: number;
  testCount: number;
  rows: number;
  cols: number;
  classNames: readonly string[];
  /** Test accuracy of the saved model (equal to the last epoch's). */
  testAccuracy: number;
  testCorrect: number;
  perClass: readonly { count: number; correct: number; accuracy: number }[];
  /** confusion[t][p]: test examples of class t predicted as p. */
  confusion: readonly (readonly number[])[];
  /** Set when Ctrl-C stopped training early. */
  interrupted?: { epochsCompleted: number; epoch: number; batch: number };
  /** Names of the other files of the folder, linked from the footer. */
  files: readonly string[];
  version?: string;
}

/** The pictures: the curves as SVG text, the others as PNG bytes with the size to show them at (CSS px). */
export interface ReportImages {
  curvesSvg: string;
  predictions: { png: Uint8Array; width: number; height: number };
  weights: { png: Uint8Array; width: number; height: number };
}

const percent = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–");
const esc = escapeXml;

type Rgb = readonly [number, number, number];
// ColorBrewer Blues and Reds, light to dark.
const BLUES: readonly Rgb[] = [[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]];
const REDS: readonly Rgb[] = [[255, 245, 240], [252, 187, 161], [251, 106, 74], [203, 24, 29], [103, 0, 13]];

/** The colour at `t` in [0, 1] along a list of stops. */
function ramp(stops: readonly Rgb[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i] as Rgb;
  const b = stops[i + 1] as Rgb;
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as unknown as Rgb;
}

const css = (c: Rgb): string => `rgb(${c[0]} ${c[1]} ${c[2]})`;

const STYLE = `
:root { --ink: #1d2430; --muted: #5b6575; --line: #e3e7ee; --panel: #ffffff; --page: #f4f6f9; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 28px 40px; }
header { margin-bottom: 22px; }
.eyebrow { margin: 0; color: var(--accent); font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; }
h1 { margin: 4px 0 6px; font-size: 28px; font-weight: 650; letter-spacing: -.01em; }
.sub { margin: 0; color: var(--muted); }
h2 { margin: 0 0 14px; font-size: 16px; font-weight: 650; }
.notice { margin: 0 0 20px; padding: 12px 16px; border: 1px solid #f0c36d; border-left: 5px solid #e6a23c; border-radius: 8px; background: #fff8e6; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 14px; margin-bottom: 18px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 30px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.25; }
.card .detail { color: var(--muted); font-size: 13px; }
.card.primary { border-color: #b8cfe9; background: linear-gradient(180deg, #f3f8fe, #ffffff); }
.card.primary .value { color: var(--accent); }
.row { display: grid; gap: 18px; margin-bottom: 18px; }
.row.two { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); }
.row.classes { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
@media (max-width: 900px) { .row.two, .row.classes { grid-template-columns: minmax(0, 1fr); } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 0; min-width: 0; }
.block { margin-bottom: 18px; }
.picture { overflow-x: auto; }
.picture svg, .picture img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.caption { margin: 12px 0 0; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.kv { width: 100%; }
.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 5px 14px 5px 0; white-space: nowrap; vertical-align: top; }
.kv td { padding: 5px 0; overflow-wrap: anywhere; }
.kv tr + tr th, .kv tr + tr td { border-top: 1px solid var(--line); }
details { margin-top: 12px; }
summary { cursor: pointer; color: var(--accent); font-size: 13px; }
.epochs { width: 100%; margin-top: 8px; font-size: 13px; }
.epochs th, .epochs td { padding: 4px 8px; text-align: right; border-bottom: 1px solid var(--line); }
.epochs th { color: var(--muted); font-weight: 500; }
.per-class { width: 100%; }
.per-class td { padding: 5px 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
.per-class td.name { padding-right: 12px; }
.per-class td.bar { width: 100%; padding-right: 12px; }
.per-class .track { height: 10px; border-radius: 5px; background: #edf1f6; overflow: hidden; }
.per-class .fill { height: 100%; border-radius: 5px; background: #3b7dd8; }
.per-class .fill.low { background: #d9534f; }
.per-class td.num { text-align: right; padding-left: 10px; }
.per-class td.of { color: var(--muted); font-size: 13px; }
.confusion { margin: 0 auto; font-size: 12.5px; }
.confusion th { font-weight: 500; color: var(--muted); padding: 4px 6px; white-space: nowrap; }
.confusion thead th { vertical-align: bottom; height: 84px; }
.confusion thead th span { writing-mode: vertical-rl; transform: rotate(180deg); display: inline-block; }
.confusion tbody th { text-align: right; }
.confusion td { min-width: 40px; height: 32px; padding: 0 5px; text-align: center; border: 1px solid #fff; }
.confusion td.zero { color: #b8bfca; }
.confusion .corner { text-align: left; vertical-align: bottom; font-size: 11px; line-height: 1.3; }
footer { margin-top: 26px; color: var(--muted); font-size: 13px; text-align: center; }
footer a { color: var(--accent); text-decoration: none; }
`;

function cards(d: ReportData): string {
  const last = d.history.at(-1);
  const epochsDone = d.history.length;
  const card = (label: string, value: string, detail: string, primary = false): string =>
    `<div class="card${primary ? " primary" : ""}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="detail">${esc(detail)}</div></div>`;
  return [
    `<section class="cards">`,
    card("Test accuracy", percent(d.testAccuracy), `${count(d.testCorrect)} of ${count(d.testCount)} test images`, true),
    card("Train accuracy", last ? percent(last.trainAcc) : "–", last ? `over epoch ${last.epoch}` : "no epoch completed"),
    card("Train loss", last ? last.trainLoss.toFixed(4) : "–", "mean cross-entropy"),
    card("Epochs", `${epochsDone} / ${d.numEpochs}`, `${d.seconds.toFixed(1)} s in all`),
    `</section>`,
  ].join("\n");
}

function epochTable(history: readonly EpochRow[]): string {
  if (history.length === 0) return "";
  const rows = history
    .map((h) => `<tr><td>${h.epoch}</td><td>${h.trainLoss.toFixed(4)}</td><td>${h.trainAcc.toFixed(4)}</td><td>${h.testAcc.toFixed(4)}</td><td>${h.seconds.toFixed(1)}</td></tr>`)
    .join("\n");
  return (
    `<details><summary>Metrics per epoch</summary><table class="epochs"><thead><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test acc</th><th>seconds</th></tr></thead>` +
    `<tbody>\n${rows}\n</tbody></table></details>`
  );
}

function settingsTable(settings: ReportData["settings"]): string {
  const rows = settings.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("\n");
  return `<table class="kv"><tbody>\n${rows}\n</tbody></table>`;
}

function perClassTable(d: ReportData): string {
  const rows = d.perClass.map((c, k) => {
    const low = Number.isFinite(c.accuracy) && c.accuracy < d.testAccuracy - 0.1;
    const width = Number.isFinite(c.accuracy) ? (c.accuracy * 100).toFixed(1) : "0";
    return (
      `<tr><td class="name">${esc(d.classNames[k] ?? String(k))}</td>` +
      `<td class="bar"><div class="track"><div class="fill${low ? " low" : ""}" style="width:${width}%"></div></div></td>` +
      `<td class="num">${percent(c.accuracy, 1)}</td><td class="num of">${count(c.correct)} / ${count(c.count)}</td></tr>`
    );
  });
  return `<table class="per-class"><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

/** The confusion matrix as a heat table: the diagonal in blues, mistakes in reds, both by share of the row. */
function confusionTable(d: ReportData): string {
  const names = d.classNames;
  let maxOff = 0;
  d.confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, p) => {
      if (p !== t) maxOff = Math.max(maxOff, v / total);
    });
  });
  const head = names.map((n) => `<th scope="col"><span>${esc(n)}</span></th>`).join("");
  const body = d.confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const cells = row.map((v, p) => {
      const share = v / total;
      const title = `true ${names[t] ?? t}, predicted ${names[p] ?? p}: ${count(v)} (${percent(share, 1)} of ${names[t] ?? t})`;
      if (v === 0) return `<td class="zero" title="${esc(title)}">0</td>`;
      const diagonal = p === t;
      // The diagonal on the row's share; mistakes relative to the largest mistake, so they read on one scale.
      const t01 = diagonal ? share : maxOff > 0 ? share / maxOff : 0;
      const colour = ramp(diagonal ? BLUES : REDS, diagonal ? 0.15 + 0.85 * t01 : 0.06 + 0.8 * t01);
      const dark = diagonal ? t01 > 0.45 : t01 > 0.6;
      return `<td style="background:${css(colour)};color:${dark ? "#ffffff" : "#1d2430"}" title="${esc(title)}">${count(v)}</td>`;
    });
    return `<tr><th scope="row">${esc(names[t] ?? String(t))}</th>${cells.join("")}</tr>`;
  });
  return (
    `<table class="confusion"><thead><tr><th class="corner">true ↓<br>predicted →</th>${head}</tr></thead>` +
    `<tbody>\n${body.join("\n")}\n</tbody></table>`
  );
}

function pngImg(image: { png: Uint8Array; width: number; height: number }, alt: string): string {
  return `<img src="data:image/png;base64,${base64(image.png)}" width="${Math.round(image.width)}" height="${Math.round(image.height)}" alt="${esc(alt)}">`;
}

/** Drops an XML declaration so the SVG can sit inline in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "").trim();
}

/**
 * The run's report page: headline metrics, curves, settings, predictions, weight templates, per-class
 * accuracy and the confusion matrix, with a notice when training was interrupted. Self-contained.
 */
export function renderReport(d: ReportData, images: ReportImages): string {
  const when = `${d.startedAt.getFullYear()}-${pad(d.startedAt.getMonth() + 1)}-${pad(d.startedAt.getDate())} ${pad(d.startedAt.getHours())}:${pad(d.startedAt.getMinutes())}`;
  const epochs = d.history.length;
  const notice = d.interrupted
    ? `<p class="notice"><strong>Interrupted.</strong> Training was stopped with Ctrl-C ` +
      (d.interrupted.batch === 0
        ? `after epoch ${d.interrupted.epoch - 1} of ${d.numEpochs}. `
        : `during epoch ${d.interrupted.epoch} of ${d.numEpochs} (after batch ${d.interrupted.batch}). `) +
      `The model and this report hold the ${d.interrupted.epochsCompleted} completed ` +
      `epoch${d.interrupted.epochsCompleted === 1 ? "" : "s"}${d.interrupted.epochsCompleted === 0 ? " — that is, the initial weights" : ""}.</p>`
    : "";
  const classes = d.classNames.length;
  const files = d.files.map((f) => `<a href="${esc(f)}">${esc(f)}</a>`).join(" · ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Softmax regression on ${esc(d.datasetTitle)} — ${percent(d.testAccuracy)} test accuracy</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<p class="eyebrow">softmax-regression · run ${esc(d.runName)}</p>
<h1>Softmax regression on ${esc(d.datasetTitle)}</h1>
<p class="sub">${epochs} epoch${epochs === 1 ? "" : "s"} on ${count(d.trainCount)} training images of ${d.rows} × ${d.cols} px, ${classes} classes; tested on ${count(d.testCount)} images · ${esc(when)} · ${d.seconds.toFixed(1)} s</p>
</header>
${notice}
${cards(d)}
<div class="row two">
<figure class="panel"><h2>Training curves</h2><div class="picture">${inlineSvg(images.curvesSvg)}</div>
<figcaption class="caption">Train loss and train accuracy averaged over each epoch while the weights moved; test accuracy measured after each epoch.</figcaption>
${epochTable(d.history)}
</figure>
<section class="panel"><h2>Settings</h2>${settingsTable(d.settings)}</section>
</div>
<figure class="panel block"><h2>Predictions</h2><div class="picture">${pngImg(images.predictions, "the first test images with their true and predicted labels")}</div>
<figcaption class="caption">The first ${Math.min(18, d.testCount)} test images: true label above the predicted one; mistakes framed in red.</figcaption></figure>
<figure class="panel block"><h2>Weights</h2><div class="picture">${pngImg(images.weights, "the learned weight template of each class")}</div>
<figcaption class="caption">Each class's ${count(d.rows * d.cols)} weights drawn as a ${d.rows} × ${d.cols} template: red pixels raise the class's score, blue ones lower it, white ones do not matter.</figcaption></figure>
<div class="row classes">
<section class="panel"><h2>Per-class accuracy</h2>${perClassTable(d)}<p class="caption">Share of each class's test images classified correctly; red bars are more than 10 points below the overall ${percent(d.testAccuracy, 1)}.</p></section>
<section class="panel"><h2>Confusion matrix</h2><div class="picture">${confusionTable(d)}</div><p class="caption">Test images by true class (rows) and predicted class (columns). Blue: correct; red: mistakes, darker for a larger share of the row.</p></section>
</div>
<footer>Files of this run: ${files}<br>Written by softmax-regression${d.version ? ` ${esc(d.version)}` : ""}.</footer>
</main>
</body>
</html>
`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
