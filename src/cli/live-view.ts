// The terminal Animator of `softmax train`: on a TTY one frame (progress line, asciichart curves, legend,
// key hint) redrawn in place at most ~10 times a second with the cursor hidden; elsewhere one plain line
// per epoch; with --json one JSON object per epoch. The frames themselves come from src/viz.

import type { Animator } from "../viz/animator.ts";
import { formatEpochJson, formatEpochLine, renderTerminalFrame } from "../viz/terminal.ts";
import type { TerminalProgress } from "../viz/terminal.ts";
import type { OutputStream } from "./command.ts";

/** tty: redrawn frame; plain: a line per epoch; json: a JSON object per line. */
export type ViewMode = "tty" | "plain" | "json";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_LINE = "\x1b[2K";
const CLEAR_BELOW = "\x1b[J";
const REDRAW_MS = 100;

/** Whether colour is wanted on `stream`: a terminal, `NO_COLOR` unset or empty, and not TERM=dumb. */
export function wantsColor(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && !env["NO_COLOR"] && env["TERM"] !== "dumb";
}

/** The view for `stream`: JSON when asked, the live frame on a terminal (not TERM=dumb), else plain lines. */
export function viewModeFor(stream: OutputStream, env: Readonly<Record<string, string | undefined>>, json: boolean): ViewMode {
  if (json) return "json";
  return stream.isTTY === true && env["TERM"] !== "dumb" ? "tty" : "plain";
}

export interface LiveViewOptions {
  mode: ViewMode;
  color: boolean;
  numEpochs: number;
  /** Training examples per epoch (for the rate and ETA). */
  examplesPerEpoch: number;
  /** The curves, filled by the caller (`animator.add`) as epochs end. */
  animator: Animator;
}

/**
 * Shows training as it runs. Call `batch` on progress, `epoch` after `animator.add`, then `finish`
 * (or `abort`). On a terminal the cursor is hidden while the frame is live and restored by `finish`,
 * `abort`, or at process exit, whichever comes first.
 */
export class LiveView {
  private readonly out: OutputStream;
  private readonly options: LiveViewOptions;
  private progress: TerminalProgress | undefined;
  private drawnLines = 0;
  private lastDraw = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly started = performance.now();
  private examplesBefore = 0; // training examples of the epochs already finished
  private hint = "Ctrl-C: stop after this batch and save the run";
  private cursorHidden = false;
  private readonly restoreAtExit = (): void => this.showCursor();

  constructor(out: OutputStream, options: LiveViewOptions) {
    this.out = out;
    this.options = options;
  }

  /** Starts the live frame (tty) — nothing to do for the other modes. */
  start(): void {
    if (this.options.mode !== "tty") return;
    this.out.write(HIDE_CURSOR);
    this.cursorHidden = true;
    process.once("exit", this.restoreAtExit);
    this.draw();
  }

  /** Progress inside the current epoch: `examples` done so far in it. */
  batch(p: { epoch: number; batch: number; numBatches: number; examples: number }): void {
    if (this.options.mode !== "tty") return;
    const done = this.examplesBefore + p.examples;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0.2 ? done / seconds : undefined;
    const remaining = this.options.numEpochs * this.options.examplesPerEpoch - done;
    this.progress = {
      epoch: p.epoch,
      numEpochs: this.options.numEpochs,
      batch: p.batch,
      numBatches: p.numBatches,
      ...(rate !== undefined && { examplesPerSecond: rate, etaSeconds: remaining / rate }),
    };
    this.schedule();
  }

  /** An epoch ended (its point is already in the animator). */
  epoch(metrics: { epoch: number; trainLoss: number; trainAcc: number; testAcc: number }, seconds: number): void {
    this.examplesBefore = metrics.epoch * this.options.examplesPerEpoch;
    if (this.options.mode === "plain") this.out.write(`${formatEpochLine(metrics, { numEpochs: this.options.numEpochs, seconds })}\n`);
    else if (this.options.mode === "json") this.out.write(`${formatEpochJson(metrics, { numEpochs: this.options.numEpochs, seconds: round(seconds) })}\n`);
    else this.schedule();
  }

  /** The first Ctrl-C: say training stops after this batch (and how to abort). */
  stopRequested(): void {
    this.hint = "stopping after this batch to save the run… (Ctrl-C again to abort)";
    if (this.options.mode === "tty") this.draw();
  }

  /** Draws the last frame (curves and legend, no progress line) and gives the cursor back. */
  finish(): void {
    if (this.options.mode !== "tty") return;
    this.progress = undefined;
    this.hint = "";
    this.draw();
    this.out.write("\n");
    this.showCursor();
  }

  /** Leaves the terminal usable right away (second Ctrl-C). */
  abort(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.options.mode === "tty") this.out.write("\n");
    this.showCursor();
  }

  private showCursor(): void {
    if (!this.cursorHidden) return;
    this.cursorHidden = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.out.write(SHOW_CURSOR);
    process.off("exit", this.restoreAtExit);
  }

  /** Redraws now if the last frame is old enough, else once when it is. */
  private schedule(): void {
    const wait = REDRAW_MS - (performance.now() - this.lastDraw);
    if (wait <= 0) this.draw();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.draw();
      }, wait);
      this.timer.unref?.();
    }
  }

  /** The frame, fitted to the terminal: at most 100 columns and the screen height. */
  private frame(): string[] {
    const columns = this.out.columns ?? 80;
    const rows = this.out.rows ?? 24;
    const width = Math.max(20, Math.min(100, columns - 1));
    const height = Math.max(3, Math.min(22, rows - 2));
    const { animator } = this.options;
    const xlim = animator.options.xlim;
    const ylim = animator.options.ylim;
    const text = renderTerminalFrame({
      series: animator.series,
      ...(xlim && { xlim }),
      ...(ylim && { ylim }),
      ...(animator.options.xlabel !== undefined && { xlabel: animator.options.xlabel }),
      ...(this.progress && { progress: this.progress }),
      width,
      height: this.hint ? height - 1 : height,
      color: this.options.color,
    });
    const lines = text.split("\n");
    if (this.hint) lines.push(this.options.color ? `\x1b[2m${this.hint.slice(0, width)}\x1b[22m` : this.hint.slice(0, width));
    return lines;
  }

  /** Moves up to the frame's first line and rewrites every line, clearing what the old frame left below. */
  private draw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastDraw = performance.now();
    const lines = this.frame();
    let text = "\r";
    if (this.drawnLines > 1) text += `\x1b[${this.drawnLines - 1}A`;
    text += lines.map((line) => CLEAR_LINE + line).join("\n") + CLEAR_BELOW;
    this.out.write(text);
    this.drawnLines = lines.length;
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
