// Entry of one Web Worker helper: receives its HelperInit (module, shared memory, addresses) in the first
// message and runs the host-agnostic helper loop on it. Started by ./webThreads.ts. No node: imports.

import { runHelper, type HelperInit } from "./threads.ts";
import type { WebHelperMessage } from "./webThreads.ts";

const scope = self as unknown as {
  postMessage(message: WebHelperMessage): void;
  close(): void;
  onmessage: ((event: MessageEvent<HelperInit>) => void) | null;
  onmessageerror: (() => void) | null;
};

scope.onmessage = (event) => {
  scope.onmessage = null;
  runHelper(event.data, {
    ready: () => scope.postMessage({ type: "ready" }),
    report: (message) => scope.postMessage({ type: "error", message }),
  }).then(
    () => {
      scope.postMessage({ type: "exit" });
      scope.close();
    },
    // Instantiation failed (runHelper catches the errors of its commands itself).
    (error: unknown) => scope.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) }),
  );
};

// The init could not be received, e.g. a shared memory sent to a page that is not cross-origin isolated.
scope.onmessageerror = () => scope.postMessage({ type: "error", message: "could not receive the module and shared memory (is the page cross-origin isolated?)" });
