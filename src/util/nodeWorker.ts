// Starts a worker_threads Worker on a module that sits beside the caller: its .ts source when the caller
// runs from source, its .js file when built (dist/). Node only.

import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A Worker running the module `name` beside `callerUrl` (the caller's `import.meta.url`). From source, Node 20
 * does not carry a loader registered with `--import tsx` into worker threads, so a two-line bootstrap
 * registers tsx's loader in the worker before it imports the .ts file (without tsx installed, the runtime
 * must strip types itself).
 */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}${fromSource ? ".ts" : ".js"}`, callerUrl);
  if (fromSource) {
    let api: string | undefined;
    try {
      api = import.meta.resolve("tsx/esm/api");
    } catch {
      api = undefined;
    }
    if (api !== undefined) {
      const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
      return new Worker(code, { ...options, eval: true });
    }
  }
  return new Worker(url, options);
}
