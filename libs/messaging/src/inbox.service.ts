import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type CloudEvent, eventDataErrors, type EventOf, Events, isCloudEvent, type KnownEventType, Topics } from '#libs/contracts';
import { MetricsRegistry } from '#libs/common';
import { isTransient } from './errors.js';
import { OutboxService } from './outbox.service.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from './tokens.js';

export type InboxOutcome = 'processed' | 'duplicate' | 'dead_lettered' | 'skipped';

export interface ConsumeOptions<K extends KnownEventType> {
  /**
   * The event types this consumer acts on; events of other types are acknowledged at once, with
   * no transaction and no inbox row (an effect-free event is idempotent by nature).
   */
  types: readonly K[];
  /**
   * Of those, which events it acts on (called before the schema check: it must cope with
   * malformed data, and one that throws keeps the event). The others are acknowledged like events
   * of other types: most traffic (good ratings, for rectification) should cost a consumer nothing.
   */
  when?: (event: EventOf<K>) => boolean;
}

export interface BatchConsumeOptions<K extends KnownEventType> extends ConsumeOptions<K> {
  /**
   * Applies the batch's events that this consumer has not handled before, in log order, inside
   * the batch's transaction (the one that records them in the inbox); each one's data conforms
   * to its type's schema.
   */
  apply: (manager: EntityManager, events: Array<EventOf<K>>) => Promise<void>;
}

/** How many events of a batch ended how. */
export type BatchOutcome = Record<InboxOutcome, number>;

interface Poison {
  message: unknown;
  reason: string;
}

const LOCAL_ATTEMPTS = 4;

/** `when` of an event whose data may be malformed: one it cannot judge is kept (and then checked against its schema). */
function wanted<K extends KnownEventType>(when: (event: EventOf<K>) => boolean, event: EventOf<K>): boolean {
  try {
    return when(event);
  } catch {
    return true;
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const reasonOf = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Idempotent consumption, a batch at a time. Each event's data is first checked against its
 * contract schema (libs/contracts schemas.ts); events the consumer does not act on are
 * acknowledged without touching the database. The rest are recorded in the inbox
 * `(consumer, event id)` with one `INSERT … ON CONFLICT DO NOTHING RETURNING` and only those new
 * to the inbox are applied, in the same transaction — so a batch delivered again, in whole or in
 * part, or holding the same event twice, changes nothing. Transient failures are retried here,
 * then handed back to the transport for redelivery (its position is not committed); a batch that
 * fails for any other reason is split in halves until the poison events are alone, and those are
 * dead-lettered with their reason while the rest is applied.
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

  /** One event: `consumeBatch` of one, with a per-event effect. */
  async consume<K extends KnownEventType>(
    consumer: string,
    topic: string,
    message: unknown,
    options: ConsumeOptions<K>,
    effect: (manager: EntityManager, event: EventOf<K>) => Promise<void>,
  ): Promise<InboxOutcome> {
    const outcome = await this.consumeBatch<K>(consumer, topic, [message], {
      ...options,
      apply: async (manager, events) => {
        for (const event of events) await effect(manager, event);
      },
    });
    return (Object.keys(outcome) as InboxOutcome[]).find((k) => outcome[k] > 0) ?? 'duplicate';
  }

  async consumeBatch<K extends KnownEventType>(
    consumer: string,
    topic: string,
    messages: unknown[],
    options: BatchConsumeOptions<K>,
  ): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { processed: 0, duplicate: 0, dead_lettered: 0, skipped: 0 };
    const poison: Poison[] = [];
    const seen = new Set<string>();
    const events: Array<EventOf<K>> = [];
    const types = new Set<string>(options.types);
    for (const message of messages) {
      if (!isCloudEvent(message)) {
        poison.push({ message, reason: 'PoisonEventError: not a CloudEvents 1.0 envelope' });
        continue;
      }
      // Events the consumer does not act on are passed over before anything else is spent on them.
      if (!types.has(message.type)) {
        outcome.skipped += 1;
        continue;
      }
      const event = message as unknown as EventOf<K>;
      if (options.when && !wanted(options.when, event)) {
        outcome.skipped += 1;
        continue;
      }
      const invalid = eventDataErrors(message);
      if (invalid.length) {
        poison.push({ message, reason: `PoisonEventError: ${event.type} data is invalid: ${invalid.join('; ')}` });
      } else if (seen.has(event.id)) {
        outcome.duplicate += 1;
      } else {
        seen.add(event.id);
        events.push(event);
      }
    }
    if (events.length || poison.length) await this.applyChunk(consumer, topic, events, poison, options.apply, outcome);
    for (const key of Object.keys(outcome) as InboxOutcome[])
      if (outcome[key]) this.metrics.eventsHandled.inc({ topic, outcome: key }, outcome[key]);
    return outcome;
  }

  /** One transaction for `events` (and the dead letters of `poison`); split on a failure that is not transient. */
  private async applyChunk<K extends KnownEventType>(
    consumer: string,
    topic: string,
    events: Array<EventOf<K>>,
    poison: Poison[],
    apply: BatchConsumeOptions<K>['apply'],
    outcome: BatchOutcome,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const counts = await this.dataSource.transaction(async (manager) => {
          const dead = await this.deadLetter(manager, consumer, topic, poison);
          if (events.length === 0) return { processed: 0, duplicate: 0, dead };
          const inserted = await manager.query<Array<{ event_id: string }>>(
            `INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::text[])
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [consumer, events.map((e) => e.id)],
          );
          const fresh = new Set(inserted.map((r) => r.event_id));
          const apply_ = events.filter((e) => fresh.has(e.id));
          if (apply_.length) await apply(manager, apply_);
          return { processed: apply_.length, duplicate: events.length - apply_.length, dead };
        });
        outcome.processed += counts.processed;
        outcome.duplicate += counts.duplicate;
        outcome.dead_lettered += counts.dead;
        return;
      } catch (err) {
        if (!isTransient(err)) {
          if (events.length <= 1) {
            await this.applyChunk(
              consumer,
              topic,
              [],
              [...poison, ...events.map((message) => ({ message, reason: reasonOf(err) }))],
              apply,
              outcome,
            );
            return;
          }
          const half = Math.ceil(events.length / 2);
          await this.applyChunk(consumer, topic, events.slice(0, half), poison, apply, outcome);
          await this.applyChunk(consumer, topic, events.slice(half), [], apply, outcome);
          return;
        }
        if (attempt >= LOCAL_ATTEMPTS) {
          this.metrics.eventsHandled.inc({ topic, outcome: 'failed' }, events.length);
          this.logger.warn({ err, consumer, events: events.length }, 'transient failure; leaving the batch for redelivery');
          throw err;
        }
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  /** Records poison events as dead-lettered and sends each to the dead-letter topic once. */
  private async deadLetter(manager: EntityManager, consumer: string, topic: string, poison: Poison[]): Promise<number> {
    if (poison.length === 0) return 0;
    const withId = poison.filter((p) => isCloudEvent(p.message));
    const inserted = await manager.query<Array<{ event_id: string }>>(
      `INSERT INTO processed_events (consumer, event_id, outcome, reason)
       SELECT $1, e.id, 'dead_lettered', e.reason FROM unnest($2::text[], $3::text[]) AS e(id, reason)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, withId.map((p) => (p.message as CloudEvent).id), withId.map((p) => p.reason)],
    );
    const fresh = new Set(inserted.map((r) => r.event_id));
    const letters = poison.filter((p) => !isCloudEvent(p.message) || fresh.has(p.message.id));
    for (const p of letters)
      this.logger.error(
        { consumer, topic, eventId: isCloudEvent(p.message) ? p.message.id : null, reason: p.reason },
        'event dead-lettered',
      );
    await this.outbox.add(
      manager,
      letters.map((p) => {
        const data = isCloudEvent(p.message) ? (p.message.data as { unitCode?: unknown }) : null;
        return {
          topic: Topics.DeadLetter,
          key: typeof data?.unitCode === 'string' ? data.unitCode : 'unknown',
          event: Events.deadLettered(
            { consumer, topic, reason: p.reason, event: p.message },
            { source: `/gov-review/${this.options.service}` },
          ),
        };
      }),
    );
    return letters.length;
  }
}
