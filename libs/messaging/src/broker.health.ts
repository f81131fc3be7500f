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

  async check(key = 'broker') {
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
