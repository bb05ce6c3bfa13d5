// Helper threads that run shares of the Kernels' gathered products (shares.ts) beside the host thread, on the
// Kernels instance's shared memory; the host posts each helper its share and waits for all of them.

import type { KernelExports, KernelsInstance } from "./module.ts";
import { BARRIER, COMMAND, CONTROL, PLAN, PLAN_BYTES } from "./plan.ts";
import { DONE_BYTE, postShare, RUN, RUN_BYTE, runTakenItems, SHARE_BYTES, type Share } from "./shares.ts";
import { postCommand, raiseAbort, type HelperTeam, type ThreadHost } from "./threads.ts";

/** Helper threads on a Kernels instance's shared memory, running shares of the products beside the host thread. */
export class ProductTeam {
  readonly threads: number;
  private readonly instance: KernelsInstance;
  private readonly team: HelperTeam;
  private readonly plan: number;
  private readonly control: number;
  private readonly base: number;
  /** The counter the threads take a product's items from. */
  private readonly next: number;
  private posted = 0;
  private closed = false;

  private constructor(instance: KernelsInstance, team: HelperTeam, threads: number, plan: number, control: number, base: number, next: number) {
    this.instance = instance;
    this.team = team;
    this.threads = threads;
    this.plan = plan;
    this.control = control;
    this.base = base;
    this.next = next;
  }

  /**
   * Starts `threads` − 1 helpers on `instance` (whose memory must be shared), from `module`. Allocates its
   * blocks from the instance first: call it before anything else allocates there.
   */
  static async start(instance: KernelsInstance, module: WebAssembly.Module, host: ThreadHost, threads: number): Promise<ProductTeam> {
    // A plan block whose only field in use is the barrier's address: its abort flag is how a failing helper says so.
    const plan = instance.alloc(PLAN_BYTES), barrier = instance.alloc(BARRIER.BYTES), control = instance.alloc(CONTROL.BYTES);
    const base = instance.alloc(threads * SHARE_BYTES), next = instance.alloc(64); // the counter on a cache line of its own
    instance.u8.fill(0, plan, next + 64);
    for (let t = 1; t < threads; t++) instance.i32[(base + t * SHARE_BYTES + RUN_BYTE) >> 2] = RUN.EXCUSED; // no run posted yet
    instance.i32[(plan + PLAN.BARRIER) >> 2] = barrier;
    const team = await host.spawn({ module, memory: instance.memory, plan, control }, threads - 1);
    return new ProductTeam(instance, team, threads, plan, control, base, next);
  }

  /**
   * Runs `share` over [0, total) on every thread: posts it to the helpers, takes items in turn with them on
   * this thread with `k`, and returns once all are done. Throws if a helper failed.
   */
  run(k: KernelExports, share: Share, total: number): void {
    // Closed, no helper would take its items or say done: fail instead of waiting forever.
    if (this.closed) throw new Error("the WebAssembly kernels' helper threads were closed (selection.close()); select the kernels again");
    const i32 = this.instance.i32;
    Atomics.store(i32, this.next >> 2, 0);
    // Run numbers · 4 in an i32 word: they wrap after 2²⁹ runs, far beyond any helper's sleep.
    this.posted = (this.posted + 1) & 0x1fffffff;
    const run = this.posted * 4 + RUN.POSTED;
    for (let t = 1; t < this.threads; t++) {
      postShare(this.instance.f64, this.base + t * SHARE_BYTES, share, total, this.next);
      Atomics.store(i32, (this.base + t * SHARE_BYTES + RUN_BYTE) >> 2, run);
    }
    postCommand(this.instance.memory, this.control, COMMAND.PRODUCT, this.base);
    try {
      runTakenItems(k, i32, this.next, share, total, 0);
    } catch (error) {
      raiseAbort(this.instance.memory, this.plan);
      throw error;
    }
    // Every item is taken. A helper that has not joined the run yet (asleep, or descheduled by the system) is
    // excused; those that joined finish their last items: wait for them by spinning, watching the abort flag.
    const abort = (i32[(this.plan + PLAN.BARRIER) >> 2]! >> 2) + BARRIER.ABORT;
    for (let t = 1; t < this.threads; t++) {
      const block = this.base + t * SHARE_BYTES;
      if (Atomics.compareExchange(i32, (block + RUN_BYTE) >> 2, run, run + RUN.EXCUSED) === run) continue;
      const done = (block + DONE_BYTE) >> 2;
      while (Atomics.load(i32, done) !== run) {
        if (Atomics.load(i32, abort) !== 0) {
          const detail = this.team.firstError();
          throw new Error(`a helper thread of the WebAssembly kernels failed${detail ? `: ${detail}` : ""}; select the kernels again`);
        }
      }
    }
  }

  /** Stops the helpers and waits for them to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    postCommand(this.instance.memory, this.control, COMMAND.EXIT);
    await this.team.close();
  }
}
