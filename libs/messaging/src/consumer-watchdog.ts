import type { Logger } from '@nestjs/common';
import { PollingWorker } from './worker.js';

export interface ConsumerWatchdogOptions {
  /** Named in log lines. */
  name: string;
  /** How long a consumer may go without a sign of life (a fetch, a heartbeat, a joined group) before it is rebuilt. */
  stallMs: number;
  /** How often the watchdog looks. */
  checkEveryMs: number;
  logger: Pick<Logger, 'error' | 'warn'>;
  /** Rebuilds the consumer; throws when it cannot yet (the broker is away): tried again after a back-off. */
  restart: (reason: string) => Promise<void>;
  /** Told after each rebuild, with why (`crashed` or `silent`). */
  onRestart?: (kind: 'crashed' | 'silent') => void;
  now?: () => number;
}

/**
 * Keeps a Kafka consumer alive without a human. A running consumer fetches several times a second
 * (empty fetches included) and heartbeats while it applies a long batch; one that does neither for
 * `stallMs` is stuck — kafkajs gives up on a crash it deems not retriable, and a consumer that kept
 * failing to rejoin its group while the broker recovered was seen to stay idle with lag for good.
 * Such a consumer is disconnected and built again; a crash kafkajs will not restart triggers that at
 * once. The loop is the shared PollingWorker.
 */
export class ConsumerWatchdog {
  private readonly worker: PollingWorker;
  private readonly now: () => number;
  private lastSignOfLife: number;
  private crash: string | null = null;
  private restartCount = 0;

  constructor(private readonly options: ConsumerWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.lastSignOfLife = this.now();
    this.worker = new PollingWorker({
      name: options.name,
      idleMs: options.checkEveryMs,
      maxBackoffMs: Math.max(options.checkEveryMs, 10_000),
      logger: options.logger,
      pass: () => this.check(),
    });
  }

  /** Consumers rebuilt so far. */
  get restarts(): number {
    return this.restartCount;
  }

  start(): void {
    this.lastSignOfLife = this.now();
    this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** The consumer did something (fetched, heartbeat, joined its group). */
  alive(): void {
    this.lastSignOfLife = this.now();
  }

  /** The consumer crashed and its client will not restart it: rebuild it now. */
  crashed(reason: string): void {
    this.crash = reason;
    this.worker.wake();
  }

  /** One look: rebuilds a crashed or silent consumer (a failure is retried by the worker's back-off). */
  private async check(): Promise<'idle'> {
    const silentMs = this.now() - this.lastSignOfLife;
    const kind = this.crash !== null ? 'crashed' : silentMs > this.options.stallMs ? 'silent' : null;
    if (kind === null) return 'idle';
    const reason = this.crash ?? `no fetch or heartbeat for ${Math.round(silentMs / 1000)} s`;
    this.options.logger.warn({ consumer: this.options.name, reason }, 'consumer stalled; rebuilding it');
    await this.options.restart(reason);
    this.crash = null;
    this.restartCount += 1;
    this.options.onRestart?.(kind);
    this.lastSignOfLife = this.now();
    return 'idle';
  }
}
