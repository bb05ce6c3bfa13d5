// The Node thread host: helper threads as worker_threads on the shared memory. Node only.

import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { startModuleWorker } from "../../util/nodeWorker.ts";
import { probeRelaxedSimd } from "./probe.ts";
import type { HelperInit, HelperTeam, ThreadHost } from "./threads.ts";

/** Starts the worker entry (worker.ts beside this file); it waits for its HelperInit as its first message. */
function startWorker(): Worker {
  return startModuleWorker(import.meta.url, "worker");
}

/**
 * Helpers started ahead of `spawn` (see `prestart`), waiting for their init; `spawn` takes them first.
 * One that died meanwhile is dropped.
 */
const warm: Worker[] = [];
const dead = new WeakSet<Worker>();

function takeWorker(): Worker {
  for (let worker = warm.shift(); worker !== undefined; worker = warm.shift()) {
    if (!dead.has(worker)) return worker;
  }
  return startWorker();
}

interface HelperMessage {
  type: "ready" | "error";
  message?: string;
}

/** worker_threads helpers. Workers inherit the parent's execArgv (so `--import tsx` carries over). */
export const nodeThreads: ThreadHost & {
  /**
   * Starts `count` helper threads now, for a later `spawn` to use: a worker takes ≈ 0.1–0.2 s to start,
   * which a caller that knows it will train can overlap with loading the data. Unused ones do not keep the
   * process alive.
   */
  prestart(count: number): void;
} = {
  cores: () => availableParallelism(),

  prestart(count: number): void {
    while (warm.length < count) {
      const worker = startWorker();
      worker.unref();
      // Until spawn listens, an early death only marks the worker unusable.
      worker.on("error", () => dead.add(worker));
      worker.once("exit", () => dead.add(worker));
      warm.push(worker);
    }
  },

  // Relaxed SIMD is standard and on by default from Node 22 (V8 11.4); Node 20's V8 has it complete behind
  // this flag, which takes effect for modules compiled after it is set.
  enableFeatures() {
    if (!probeRelaxedSimd().ok) setFlagsFromString("--experimental-wasm-relaxed-simd");
  },

  async spawn(init: Omit<HelperInit, "thread">, count: number): Promise<HelperTeam> {
    const errors: string[] = [];
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const started: Promise<void>[] = [];
    for (let thread = 1; thread <= count; thread++) {
      const { port1, port2 } = new MessageChannel();
      const worker = takeWorker();
      worker.ref();
      worker.postMessage({ ...init, thread, port: port2 }, [port2]);
      workers.push(worker);
      ports.push(port1);
      worker.on("error", (error) => errors.push(`helper thread ${thread}: ${error.stack ?? error.message}`));
      started.push(
        new Promise<void>((resolve, reject) => {
          port1.on("message", (message: HelperMessage) => {
            if (message.type === "ready") resolve();
            else {
              errors.push(message.message ?? "unknown error");
              reject(new Error(message.message));
            }
          });
          worker.once("exit", (code) => reject(new Error(`helper thread ${thread} exited (code ${code}) before it was ready${errors.length ? `: ${errors.join("; ")}` : ""}`)));
        }),
      );
    }
    const closePorts = (): void => ports.forEach((p) => p.close());
    try {
      await Promise.all(started);
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      closePorts();
      throw error;
    }
    // Helpers never hold the process open: a trainer that was not closed does not hang the exit.
    for (const worker of workers) worker.unref();
    for (const port of ports) port.unref();
    return {
      firstError(): string | undefined {
        // A report may arrive while this thread is busy in WebAssembly, before any event is delivered.
        for (const port of ports) {
          for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
            errors.push((m.message as HelperMessage).message ?? "unknown error");
          }
        }
        return errors[0];
      },
      async close(): Promise<void> {
        const exits = workers.map((w) => new Promise<void>((resolve) => (w.threadId === -1 ? resolve() : w.once("exit", () => resolve()))));
        // The EXIT command the trainer posted ends the helpers' loops; terminate is the backstop.
        const timer = setTimeout(() => void Promise.all(workers.map((w) => w.terminate())), 2000);
        await Promise.all(exits);
        clearTimeout(timer);
        closePorts();
      },
    };
  },
};
