import type { Logger } from '@nestjs/common';

/** What one pass of a worker reports: `more` runs the next pass at once, `idle` waits for the poll interval. */
export type WorkerPass = 'more' | 'idle';

export interface PollingWorkerOptions {
  /** Named in log lines. */
  name: string;
  /** Wait between passes that found nothing to do. */
  idleMs: number;
  /** Most wait between failed passes (the back-off doubles from 100 ms up to this). */
  maxBackoffMs?: number;
  logger: Pick<Logger, 'error'>;
  /** One pass: does a bounded amount of work; throws to be retried after a back-off. */
  pass: () => Promise<WorkerPass>;
}

/**
 * The background loop of the outbox relay and the embedded bus: one pass at a time, the next
 * one at once while there is more, after `idleMs` when idle, with an exponential back-off after
 * failures. `wake()` brings the next pass forward (several wake-ups coalesce into one pass);
 * `stop()` lets the running pass finish and resolves after it.
 */
export class PollingWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private woken = false;

  constructor(private readonly options: PollingWorkerOptions) {}

  /** Consecutive failed passes (0 after a success). */
  get failureCount(): number {
    return this.failures;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a pass soon (within `delayMs`); coalesces with a pass already due or running. */
  wake(delayMs = 0): void {
    if (this.stopped) return;
    if (this.running) {
      this.woken = true;
      return;
    }
    this.schedule(delayMs);
  }

  /** Stops scheduling and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) {
      // A pass is already due; only bring it forward.
      if (delayMs >= this.options.idleMs) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async run(): Promise<void> {
    this.woken = false;
    let next: number;
    try {
      const outcome = await this.options.pass();
      this.failures = 0;
      next = outcome === 'more' || this.woken ? 0 : this.options.idleMs;
    } catch (err) {
      this.failures += 1;
      if (this.failures === 1 || this.failures % 50 === 0)
        this.options.logger.error({ err, worker: this.options.name, failures: this.failures }, `${this.options.name} failed; will retry`);
      next = Math.min(this.options.maxBackoffMs ?? 5_000, 100 * 2 ** Math.min(this.failures, 6));
    }
    // A timer callback: it fires after `running` has been cleared.
    this.schedule(next);
  }
}
