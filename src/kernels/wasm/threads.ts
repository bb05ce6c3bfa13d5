// Helper threads of the resident trainer, host-agnostic: what a host (worker_threads, Web Workers)
// must provide, and the loop each helper runs on the shared memory. No node: imports.

import { BARRIER, COMMAND, CONTROL, MAX_THREADS, PLAN } from "./plan.ts";
import { instantiateKernels } from "./module.ts";
import { probeSharedMemory } from "./probe.ts";
import { runPostedShare } from "./shares.ts";

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
  /**
   * Turns on WebAssembly features this runtime has behind a flag, before the kernels module is chosen
   * (Node 20: relaxed SIMD). Optional; browsers ship them or not.
   */
  enableFeatures?(): void;
  /** Starts `count` helpers with thread indices 1..count; resolves once each has instantiated the module. */
  spawn(init: Omit<HelperInit, "thread">, count: number): Promise<HelperTeam>;
}

/**
 * How many threads to run and why: `asked` (a count, or "auto": every core up to `limit`), reduced to one
 * where threads cannot run (no host, no shared memory). `limit` caps "auto" and bounds an explicit count.
 */
export function chooseThreads(
  asked: number | "auto", host: ThreadHost | undefined, limit: { max: number; why: string },
): { threads: number; reason: string } {
  if (asked !== "auto" && (!Number.isInteger(asked) || asked < 1)) throw new RangeError(`threads must be a positive integer or "auto", got ${asked}`);
  if (asked === 1) return { threads: 1, reason: "one thread was asked for" };
  if (asked !== "auto" && asked > Math.min(limit.max, MAX_THREADS)) throw new RangeError(`threads (${asked}) must not exceed ${Math.min(limit.max, MAX_THREADS)}: ${limit.why}`);
  if (host === undefined) return { threads: 1, reason: "one thread: no thread host was given" };
  const shared = probeSharedMemory();
  if (!shared.ok) return { threads: 1, reason: `one thread: ${shared.reason}` };
  if (asked !== "auto") return { threads: asked, reason: `${asked} threads were asked for` };
  const cores = host.cores();
  const threads = Math.max(1, Math.min(cores, limit.max, MAX_THREADS));
  if (threads === 1) return { threads, reason: cores < 2 ? "one thread: one core" : `one thread: ${limit.why}` };
  return { threads, reason: `${threads} threads on ${cores} cores` };
}

/** Posts a command to the helpers waiting on the command block at `control` (they spin, then sleep). */
export function postCommand(memory: WebAssembly.Memory, control: number, command: number, arg0 = 0, arg1 = 0): void {
  const block = new Int32Array(memory.buffer, control, CONTROL.BYTES >> 2);
  block[CONTROL.CMD] = command;
  block[CONTROL.ARG0] = arg0;
  block[CONTROL.ARG1] = arg1;
  Atomics.add(block, CONTROL.SEQ, 1);
  Atomics.notify(block, CONTROL.SEQ);
}

/**
 * How long a helper spins waiting for the next command before it sleeps. Waking a sleeping thread costs
 * tens of microseconds; a trainer's commands (a group of batches, the evaluation, the next epoch) follow
 * each other within a fraction of a millisecond, so a helper that spins through such gaps answers at
 * once. Idle, it sleeps after this long.
 */
const SPIN_MS = 1;

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
    const spinUntil = performance.now() + SPIN_MS;
    let spins = 0;
    while (Atomics.load(control, CONTROL.SEQ) === seen) {
      // Read the clock only every 1024 spins; past the deadline, sleep until the sequence number moves.
      if ((++spins & 1023) === 0 && performance.now() > spinUntil) Atomics.wait(control, CONTROL.SEQ, seen, 50);
    }
    seen = Atomics.load(control, CONTROL.SEQ);
    const command = control[CONTROL.CMD];
    if (command === COMMAND.EXIT) return;
    try {
      if (command === COMMAND.TRAIN) k.trainBatches(init.plan, init.thread, control[CONTROL.ARG0]!, control[CONTROL.ARG1]!);
      else if (command === COMMAND.EVALUATE) k.evaluate(init.plan, init.thread);
      else if (command === COMMAND.PRODUCT) runPostedShare(k, init.memory, control[CONTROL.ARG0]!, init.thread);
      else throw new Error(`unknown command ${command}`);
    } catch (error) {
      raiseAbort(init.memory, init.plan);
      events.report(`helper thread ${init.thread}: ${(error as Error).stack ?? String(error)}`);
      return;
    }
  }
}
