// The data flags every data-reading command shares (--dataset, --data, --offline) and the download
// progress they print to stderr: one redrawn line on a terminal, plain lines otherwise.

import { DATASET_NAMES } from "../data/datasets.ts";
import type { DatasetName } from "../data/datasets.ts";
import type { DownloadProgress } from "../data/download.ts";
import type { LoadDatasetOptions } from "../data/load.ts";
import type { CommandIo, OptionSpec } from "./command.ts";

/** Spread into a command's `options` to accept the data flags. */
export const dataOptions = {
  dataset: {
    type: "string",
    valueName: "NAME",
    choices: DATASET_NAMES,
    defaultText: "fashion-mnist",
    description: "Which data set to use",
  },
  data: {
    type: "string",
    valueName: "DIR",
    description: "Folder holding the four IDX files, raw or .gz, any image size (else SOFTMAX_DATA_DIR)",
  },
  offline: { type: "boolean", description: "Never download; fail with a hint when the data is not on disk" },
} as const satisfies Record<string, OptionSpec>;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Prints download progress to stderr; on a terminal one line redrawn at most ~10 times a second. */
export function downloadProgressPrinter(io: CommandIo): (progress: DownloadProgress) => void {
  const tty = io.stderr.isTTY === true;
  let lastDraw = 0;
  return (p) => {
    const amount = p.total ? `${megabytes(p.received)} / ${megabytes(p.total)}` : megabytes(p.received);
    if (p.phase === "start") {
      io.stderr.write(tty ? `\rdownloading ${p.url}` : `downloading ${p.url}\n`);
    } else if (p.phase === "progress" && tty) {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      io.stderr.write(`\r\x1b[2Kdownloading ${p.file}.gz: ${amount}`);
    } else if (p.phase === "done") {
      io.stderr.write(`${tty ? "\r\x1b[2K" : ""}downloaded ${p.file}.gz (${amount})\n`);
    } else if (p.phase === "failed") {
      io.stderr.write(`${tty ? "\r\x1b[2K" : ""}failed: ${p.url}: ${p.error ?? "unknown error"}; trying the next mirror if any\n`);
    }
  };
}

/** The loader options for the data flags' values, with progress printed to stderr. */
export function loadOptionsFrom(
  values: { dataset?: string | undefined; data?: string | undefined; offline?: boolean | undefined },
  io: CommandIo,
): LoadDatasetOptions {
  return {
    dataset: (values.dataset ?? "fashion-mnist") as DatasetName,
    ...(values.data !== undefined ? { data: values.data } : {}),
    offline: values.offline ?? false,
    env: io.env,
    onProgress: downloadProgressPrinter(io),
  };
}
