// Pause, Resume and Stop of a training run inside the worker: the page's messages set the state, and the
// run looks at it between pieces of work (after letting those messages in) at its checkpoints.

import type { WorkerMessage } from "./messages.ts";

export type Post = (message: WorkerMessage, transfer?: Transferable[]) => void;

/** Resolves after the worker's pending events (the page's Pause/Stop messages) have run. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class RunControl {
  private state: "running" | "paused" | "stopping" = "running";
  private wake: (() => void) | undefined;

  constructor(protected readonly post: Post) {}

  pause(): void {
    if (this.state === "running") this.state = "paused";
  }

  resume(): void {
    if (this.state !== "paused") return;
    this.state = "running";
    this.wake?.();
  }

  stop(): void {
    this.state = "stopping";
    this.wake?.();
  }

  /** Lets the page's messages in and waits out a pause; true when training should stop. */
  async checkpoint(): Promise<boolean> {
    await yieldToEvents();
    if (this.state === "paused") {
      this.post({ type: "paused" });
      while (this.state === "paused") await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      if (this.state === "running") this.post({ type: "resumed" });
    }
    return this.state === "stopping";
  }
}
