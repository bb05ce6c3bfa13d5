// Helper threads of the resident trainer, host-agnostic: what a host (worker_threads, Web Workers)
// must provide, and the loop each helper runs on the shared memory. No node: imports.

import { BARRIER, COMMAND, CONTROL, PLAN } from "./plan.ts";
import { instantiateKernels } from "./module.ts";

/** What a helper thread needs: the compiled module, the shared memory, and where the plan and commands are. */
export interface HelperInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Address of the plan block. */
  plan: number;
  /** Address of the command block. */
  control: number;
  /** This helper's thread index (the host thread is 0). */
  thread: number;
}

/** Running helper threads. */
export interface HelperTeam {
  /** The first error a helper reported, if any (a helper that fails raises the barrier's abort flag). */
  firstError(): string | undefined;
  /** Stops the helpers (after the EXIT command the host has posted) and waits for them to end. */
  close(): Promise<void>;
}

/** A way to run helper threads: worker_threads in Node (./nodeThreads.ts); Web Workers can follow. */
export interface ThreadHost {
  /** Logical processors available, for the "auto" thread count. */
  cores(): number;
  /** Starts `count` helpers with thread indices 1..count; resolves once each has instantiated the module. */
  spawn(init: Omit<HelperInit, "thread">, count: number): Promise<HelperTeam>;
}

/** Spins before sleeping while waiting for a command: commands follow each other within microseconds. */
const SPINS = 1 << 15;

/** Raises the abort flag and wakes every thread waiting at the barrier, so none waits forever. */
export function raiseAbort(memory: WebAssembly.Memory, plan: number): void {
  const i32 = new Int32Array(memory.buffer);
  const barrier = i32[(plan + PLAN.BARRIER) >> 2]! >> 2;
  Atomics.store(i32, barrier + BARRIER.ABORT, 1);
  Atomics.add(i32, barrier + BARRIER.GEN, 1);
  Atomics.notify(i32, barrier + BARRIER.GEN);
}

/**
 * The helper's life: instantiate the module on the shared memory, say ready, then run commands until EXIT.
 * Blocks its thread between commands (Atomics.wait), so it must run in a worker. Errors raise the abort
 * flag (so the other threads return instead of waiting) and are reported through `report`.
 */
export async function runHelper(init: HelperInit, events: { ready(): void; report(message: string): void }): Promise<void> {
  const k = await instantiateKernels(init.module, init.memory);
  const control = new Int32Array(init.memory.buffer, init.control, CONTROL.BYTES >> 2);
  events.ready();
  let seen = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(control, CONTROL.SEQ) === seen) {
      if (++spins >= SPINS) Atomics.wait(control, CONTROL.SEQ, seen, 50);
    }
    seen = Atomics.load(control, CONTROL.SEQ);
    const command = control[CONTROL.CMD];
    if (command === COMMAND.EXIT) return;
    try {
      if (command === COMMAND.TRAIN) k.trainBatches(init.plan, init.thread, control[CONTROL.ARG0]!, control[CONTROL.ARG1]!);
      else if (command === COMMAND.EVALUATE) k.evaluate(init.plan, init.thread);
      else throw new Error(`unknown command ${command}`);
    } catch (error) {
      raiseAbort(init.memory, init.plan);
      events.report(`helper thread ${init.thread}: ${(error as Error).stack ?? String(error)}`);
      return;
    }
  }
}
