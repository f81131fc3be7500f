import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_PUBLISHER, type EventPublisher } from './tokens.js';

/** Readiness of the event transport: the Kafka cluster answers, or the embedded bus is reachable. */
@Injectable()
export class BrokerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  private recent: { at: number; result: ReturnType<BrokerHealthIndicator['probe']> } | null = null;

  /** One probe serves every check within a second (readiness and the pipeline detail both ask). */
  check(key = 'broker') {
    const now = Date.now();
    if (!this.recent || now - this.recent.at > 1_000 || key !== 'broker') {
      const result = this.probe(key);
      if (key !== 'broker') return result;
      this.recent = { at: now, result };
    }
    return this.recent.result;
  }

  private async probe(key: string) {
    const indicator = this.health.check(key);
    try {
      await Promise.race([
        this.publisher.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000).unref()),
      ]);
      return indicator.up({ transport: this.publisher.kind });
    } catch (err) {
      return indicator.down({ transport: this.publisher.kind, message: err instanceof Error ? err.message : String(err) });
    }
  }
}
