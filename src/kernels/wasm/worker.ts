// Entry of one worker_threads helper: runs the host-agnostic helper loop on the shared memory.
// Node only; started by ./nodeThreads.ts, possibly ahead of time: its HelperInit comes as the first message.

import { once } from "node:events";
import { parentPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { runHelper, type HelperInit } from "./threads.ts";

const [{ port, ...init }] = (await once(parentPort!, "message")) as [HelperInit & { port: MessagePort }];
// The helper loop blocks this thread; nothing else needs the parent port.
parentPort!.unref();

await runHelper(init, {
  ready: () => port.postMessage({ type: "ready" }),
  report: (message) => port.postMessage({ type: "error", message }),
});
port.close();
