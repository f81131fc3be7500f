import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type CloudEvent, createCloudEvent, EVENT_SCHEMAS, EventTypes, isCloudEvent, Topics } from '#libs/contracts';
import { MetricsRegistry } from '#libs/common';
import { isTransient, PoisonEventError } from './errors.js';
import { OutboxService } from './outbox.service.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from './tokens.js';

export type InboxOutcome = 'processed' | 'duplicate' | 'dead_lettered' | 'skipped';

export interface ConsumeOptions<T> {
  /**
   * Which events this consumer acts on. Others are acknowledged at once, with no
   * transaction and no inbox row: an effect-free event is idempotent by nature, and
   * most traffic (good ratings, for rectification) should cost a consumer nothing.
   */
  when?: (event: CloudEvent<T>) => boolean;
}

export interface DeadLetterData {
  consumer: string;
  topic: string;
  reason: string;
  event: unknown;
}

const LOCAL_ATTEMPTS = 4;

/** Checks `data` against the contract schema of its event type (unknown types pass through). */
function invalidFields(event: CloudEvent): string[] {
  const schema = EVENT_SCHEMAS[event.type];
  if (!schema) return [];
  return validateSync(plainToInstance(schema, event.data), { forbidUnknownValues: false }).flatMap((error) => {
    const children = (error.children ?? []).map((child) => `${error.property}.${child.property}`);
    return children.length ? children : [`${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`];
  });
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Idempotent consumption. The event's data is first checked against its contract
 * schema (libs/contracts schemas.ts). The effect runs in one transaction with the inbox row
 * `(consumer, event id)`, so a redelivered event changes nothing. Transient
 * failures are retried here, then handed back to the transport for redelivery
 * (the offset is not committed); anything else is dead-lettered with its reason,
 * so one poison message never blocks its partition.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger(InboxService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly metrics: MetricsRegistry,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async consume<T>(
    consumer: string,
    topic: string,
    message: unknown,
    effect: (manager: EntityManager, event: CloudEvent<T>) => Promise<void>,
    options: ConsumeOptions<T> = {},
  ): Promise<InboxOutcome> {
    if (!isCloudEvent(message)) {
      return this.deadLetter(consumer, topic, message, new PoisonEventError('not a CloudEvents 1.0 envelope'));
    }
    const event = message as CloudEvent<T>;
    const invalid = invalidFields(event);
    if (invalid.length) {
      return this.deadLetter(consumer, topic, event, new PoisonEventError(`${event.type} data is invalid: ${invalid.join('; ')}`));
    }
    if (options.when && !options.when(event)) {
      this.metrics.eventsHandled.inc({ topic, outcome: 'skipped' });
      return 'skipped';
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.dataSource.transaction(async (manager) => {
          const inserted = await manager.query<unknown[]>(
            `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [consumer, event.id],
          );
          if (inserted.length === 0) return 'duplicate' as const;
          await effect(manager, event);
          return 'processed' as const;
        });
        this.metrics.eventsHandled.inc({ topic, outcome });
        return outcome;
      } catch (err) {
        if (!isTransient(err)) return this.deadLetter(consumer, topic, event, err);
        if (attempt >= LOCAL_ATTEMPTS) {
          this.metrics.eventsHandled.inc({ topic, outcome: 'failed' });
          this.logger.warn({ err, consumer, eventId: event.id }, 'transient failure; leaving the event for redelivery');
          throw err;
        }
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  private async deadLetter(consumer: string, topic: string, message: unknown, err: unknown): Promise<InboxOutcome> {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const eventId = isCloudEvent(message) ? message.id : null;
    const key =
      isCloudEvent(message) && typeof (message.data as { unitCode?: unknown }).unitCode === 'string'
        ? (message.data as { unitCode: string }).unitCode
        : 'unknown';
    this.logger.error({ consumer, topic, eventId, reason }, 'event dead-lettered');
    await this.dataSource.transaction(async (manager) => {
      if (eventId) {
        await manager.query(
          `INSERT INTO processed_events (consumer, event_id, outcome, reason) VALUES ($1, $2, 'dead_lettered', $3)
           ON CONFLICT DO NOTHING`,
          [consumer, eventId, reason],
        );
      }
      await this.outbox.add(manager, {
        topic: Topics.DeadLetter,
        key,
        event: createCloudEvent<DeadLetterData>({
          type: EventTypes.DeadLettered,
          source: `/gov-review/${this.options.service}`,
          data: { consumer, topic, reason, event: message },
        }),
      });
    });
    this.metrics.eventsHandled.inc({ topic, outcome: 'dead_lettered' });
    return 'dead_lettered';
  }
}
