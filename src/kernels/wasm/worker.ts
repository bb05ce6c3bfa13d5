// Entry of one worker_threads helper: runs the host-agnostic helper loop on the shared memory.
// Node only; started by ./nodeThreads.ts with its HelperInit in workerData.

import { workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { runHelper, type HelperInit } from "./threads.ts";

const { port, ...init } = workerData as HelperInit & { port: MessagePort };

await runHelper(init, {
  ready: () => port.postMessage({ type: "ready" }),
  report: (message) => port.postMessage({ type: "error", message }),
});
port.close();
