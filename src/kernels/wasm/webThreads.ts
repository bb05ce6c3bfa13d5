// The browser thread host: helper threads as module Web Workers on the shared memory. No node: imports;
// needs a cross-origin isolated page (else there is no shared memory and the trainer runs on one thread).

import type { HelperInit, HelperTeam, ThreadHost } from "./threads.ts";

/** What a helper (./webWorker.ts) posts back: ready once instantiated, error on failure, exit when its loop ends. */
export type WebHelperMessage = { type: "ready" } | { type: "error"; message: string } | { type: "exit" };

/** How long `close` waits for the helpers to leave their loops before it terminates them. */
const CLOSE_MS = 2000;

/** Web Worker helpers. Each gets the compiled module and the shared memory by postMessage (neither is copied). */
export const webThreads: ThreadHost = {
  cores: () => navigator.hardwareConcurrency || 1,

  async spawn(init: Omit<HelperInit, "thread">, count: number): Promise<HelperTeam> {
    const errors: string[] = [];
    const workers: Worker[] = [];
    const started: Promise<void>[] = [];
    const exited: Promise<void>[] = [];
    for (let thread = 1; thread <= count; thread++) {
      // The literal form lets bundlers (Vite) find the entry and emit it as a worker chunk. ".js" so the
      // path also holds from dist/; Vite resolves it to webWorker.ts in src/, as it does for imports.
      const worker = new Worker(new URL("./webWorker.js", import.meta.url), { type: "module", name: `softmax helper ${thread}` });
      workers.push(worker);
      let ready = false;
      let exit!: () => void;
      exited.push(new Promise<void>((resolve) => (exit = resolve)));
      started.push(
        new Promise<void>((resolve, reject) => {
          const fail = (why: string): void => {
            errors.push(`helper thread ${thread}: ${why}`);
            if (!ready) reject(new Error(`helper thread ${thread} failed to start: ${why}`));
          };
          worker.onmessage = (event: MessageEvent<WebHelperMessage>) => {
            const message = event.data;
            if (message.type === "ready") {
              ready = true;
              resolve();
            } else if (message.type === "error") fail(message.message);
            else exit();
          };
          // A script that cannot load or throws at the top level; no detail is given for a failed load.
          worker.onerror = (event) => {
            event.preventDefault();
            fail(event.message || "its script could not be loaded or run");
            exit();
          };
          worker.onmessageerror = () => fail("a message from it could not be read");
        }),
      );
      const helperInit: HelperInit = { ...init, thread };
      worker.postMessage(helperInit);
    }
    try {
      await Promise.all(started);
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    return {
      // Reports arrive as events: one sent while this thread is busy in WebAssembly shows up after it yields.
      firstError: () => errors[0],
      async close(): Promise<void> {
        // The EXIT command the trainer posted ends the helpers' loops; terminate is the backstop.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([Promise.all(exited), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_MS)))]);
        clearTimeout(timer);
        for (const worker of workers) worker.terminate();
      },
    };
  },
};
