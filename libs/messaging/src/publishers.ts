import { Logger } from '@nestjs/common';
import { KafkaLogger } from '@nestjs/microservices';
import { type ISocketFactory, Kafka, logLevel, type Producer } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { appendToEventBus, ensureEventBus } from './embedded-bus.js';
import type { EventPublisher, OutgoingRecord, PublisherState } from './tokens.js';

/**
 * Producer errors after which this producer id can never publish again. kafkajs rolls
 * back its sequence number when a produce request fails even if the broker wrote the
 * batch, and its idempotent producer never asks for a new producer id (kafkajs#598), so
 * every later send fails with OUT_OF_ORDER_SEQUENCE_NUMBER: only a new producer helps.
 */
export const FATAL_PRODUCER_ERRORS: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
  'DUPLICATE_SEQUENCE_NUMBER',
]);

/** Most bytes of event values in one produce request: every partition's record batch stays under the broker's 1 MiB default. */
export const KAFKA_REQUEST_BYTES = 900 * 1024;

/** Consecutive chunks of records whose values add up to at most `maxBytes` (a larger record goes alone). */
export function chunksBySize(records: OutgoingRecord[], maxBytes: number): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(record.value) + Buffer.byteLength(record.key) + 64;
    if (current.length && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Consecutive failed sends (of any kind) after which the producer is rebuilt anyway. */
export const PRODUCER_REBUILD_AFTER_FAILURES = 5;

/** The kafkajs protocol error type anywhere in an error's chain (retries wrap the original), or null. */
export function producerErrorType(err: unknown, depth = 0): string | null {
  if (!err || typeof err !== 'object' || depth > 6) return null;
  const e = err as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof e.type === 'string' && FATAL_PRODUCER_ERRORS.has(e.type)) return e.type;
  for (const inner of [e.cause, e.originalError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])]) {
    const found = producerErrorType(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

export function isFatalProducerError(err: unknown): boolean {
  return producerErrorType(err) !== null;
}

export interface KafkaPublisherOptions {
  /** Called each time the producer is thrown away and rebuilt (for the restarts metric). */
  onRebuild?: (reason: string) => void;
  rebuildAfterFailures?: number;
  /** How the producer opens its broker connections (kafkajs' default when absent; a proxy or a test's fault injection). */
  socketFactory?: ISocketFactory;
}

/**
 * Publishes with an idempotent kafkajs producer (acks=all, one request in flight, so
 * a key's records keep their order), and owns the producer's life: a producer that
 * fails fatally, or keeps failing, is disconnected and replaced by a fresh one with a
 * new producer id. The relay then sends the same outbox rows again, in the same order;
 * a batch the old producer had in fact written appears twice on the topic, which the
 * consumers' inbox absorbs (at-least-once topics, exactly-once effects).
 */
export class KafkaEventPublisher implements EventPublisher {
  readonly kind = 'kafka';
  private readonly logger = new Logger('KafkaEventPublisher');
  private readonly kafka: Kafka;
  private readonly admin: Kafka;
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private consecutiveFailures = 0;
  private rebuilds = 0;
  private generation = 0;
  private lastError: string | null = null;
  private readonly rebuildAfter: number;

  constructor(
    brokers: string[],
    clientId: string,
    private readonly options: KafkaPublisherOptions = {},
  ) {
    this.kafka = new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.WARN,
      // kafkajs' lines go through the service's logger (JSON, with the service's name), not the console.
      logCreator: KafkaLogger.bind(null, this.logger),
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 5 },
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    });
    this.admin = new Kafka({ clientId: `${clientId}-admin`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    this.rebuildAfter = options.rebuildAfterFailures ?? PRODUCER_REBUILD_AFTER_FAILURES;
  }

  async connect(): Promise<void> {
    await this.currentProducer();
  }

  /**
   * Sends the relay's records with `sendBatch`: one request when they fit under the broker's default
   * message size (1 MiB per partition's record batch), else one request per chunk of at most
   * KAFKA_REQUEST_BYTES, in order (idempotent producer, one request in flight).
   */
  async publish(records: OutgoingRecord[]): Promise<void> {
    try {
      const producer = await this.currentProducer();
      for (const chunk of chunksBySize(records, KAFKA_REQUEST_BYTES))
        await producer.sendBatch({ acks: -1, topicMessages: topicMessagesOf(chunk) });
      this.consecutiveFailures = 0;
      this.lastError = null;
    } catch (err) {
      await this.failed(err);
      throw err;
    }
  }

  state(): PublisherState {
    return {
      transport: this.kind,
      connected: this.producer !== null,
      generation: this.generation,
      rebuilds: this.rebuilds,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
    };
  }

  /** A short-lived admin connection per check: nothing lingers between checks or after a broker restart. */
  async ping(): Promise<void> {
    await this.withAdmin((admin) => admin.describeCluster());
  }

  /** Runs `work` with a short-lived admin client (health checks and lag). */
  async withAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = this.admin.admin();
    try {
      await admin.connect();
      return await work(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect();
  }

  private currentProducer(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      try {
        await producer.connect();
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      }
      this.producer = producer;
      this.generation += 1;
      return producer;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async failed(err: unknown): Promise<void> {
    this.consecutiveFailures += 1;
    this.lastError = err instanceof Error ? err.message : String(err);
    const fatal = producerErrorType(err);
    if (!fatal && this.consecutiveFailures < this.rebuildAfter) return;
    const reason = fatal ?? `${this.consecutiveFailures} consecutive failures`;
    this.logger.error(
      { reason, generation: this.generation, lastError: this.lastError },
      'Kafka producer cannot go on; disconnecting it and building a fresh one (new producer id)',
    );
    const old = this.producer;
    this.producer = null;
    this.consecutiveFailures = 0;
    this.rebuilds += 1;
    this.options.onRebuild?.(reason);
    await old?.disconnect().catch(() => undefined);
  }
}

function topicMessagesOf(records: OutgoingRecord[]) {
  const byTopic = new Map<string, OutgoingRecord[]>();
  for (const record of records) {
    const list = byTopic.get(record.topic);
    if (list) list.push(record);
    else byTopic.set(record.topic, [record]);
  }
  return [...byTopic].map(([topic, list]) => ({
    topic,
    messages: list.map((r) => ({
      key: r.key,
      value: r.value,
      // Structured mode of the CloudEvents Kafka binding: the whole event is the value, announced by content-type.
      headers: { 'content-type': 'application/cloudevents+json' },
    })),
  }));
}

/** Appends to the embedded event bus in PostgreSQL, inside the relay's transaction. */
export class EmbeddedEventPublisher implements EventPublisher {
  readonly kind = 'embedded';

  constructor(private readonly dataSource: DataSource) {}

  async connect(): Promise<void> {
    await ensureEventBus(this.dataSource);
  }

  async publish(records: OutgoingRecord[], runner: QueryRunner): Promise<void> {
    await appendToEventBus(runner, records);
  }

  state(): PublisherState {
    return { transport: this.kind, connected: true, generation: 1, rebuilds: 0, consecutiveFailures: 0, lastError: null };
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1 FROM event_bus.group_offsets LIMIT 1');
  }

  async close(): Promise<void> {
    // Nothing of its own to release: it writes through the service's datasource.
  }
}
