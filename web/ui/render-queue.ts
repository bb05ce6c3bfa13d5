// Runs the page's drawing jobs one per task, so an epoch's several pictures never block the main thread
// in one long stretch; a job scheduled again before it ran replaces the waiting one (latest data wins).

export class RenderQueue {
  private readonly jobs = new Map<string, () => void>();
  private posted = false;
  private readonly channel = new MessageChannel();

  /** `onBusy(true)` when jobs start waiting, `onBusy(false)` once all have run (the page marks <body data-drawing>). */
  constructor(private readonly onBusy: (busy: boolean) => void = () => undefined) {
    this.channel.port1.onmessage = () => this.runOne();
  }

  /** Queues `job` under `key` (replacing a waiting job of the same key). */
  schedule(key: string, job: () => void): void {
    this.jobs.delete(key); // re-inserted last: jobs run in the order they were last asked for
    this.jobs.set(key, job);
    this.post();
  }

  private post(): void {
    if (this.posted) return;
    if (this.jobs.size === 0) {
      this.onBusy(false);
      return;
    }
    this.onBusy(true);
    this.posted = true;
    this.channel.port2.postMessage(null);
  }

  private runOne(): void {
    this.posted = false;
    const [key, job] = this.jobs.entries().next().value ?? [];
    if (key === undefined || job === undefined) return;
    this.jobs.delete(key);
    try {
      job();
    } finally {
      this.post();
    }
  }
}
