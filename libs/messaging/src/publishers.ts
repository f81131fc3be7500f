import { ClientKafka } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { appendToEventBus, ensureEventBus } from './embedded-bus.js';
import type { EventPublisher, OutgoingRecord } from './tokens.js';

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

/** Publishes through the Kafka transport of @nestjs/microservices (kafkajs producer). */
export class KafkaEventPublisher implements EventPublisher {
  readonly kind = 'kafka';
  private readonly client: ClientKafka;
  private readonly kafka: Kafka;

  constructor(brokers: string[], clientId: string) {
    this.client = new ClientKafka({
      client: { clientId, brokers, logLevel: logLevel.WARN, retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 5 } },
      producer: { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false },
      producerOnlyMode: true,
      postfixId: '',
    });
    this.kafka = new Kafka({ clientId: `${clientId}-admin`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  /**
   * Sends the relay's records with `sendBatch`: one request when they fit under the broker's default
   * message size (1 MiB per partition's record batch), else one request per chunk of at most
   * KAFKA_REQUEST_BYTES, in order (idempotent producer, one request in flight).
   */
  async publish(records: OutgoingRecord[]): Promise<void> {
    for (const chunk of chunksBySize(records, KAFKA_REQUEST_BYTES)) {
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const record of chunk) {
        const list = byTopic.get(record.topic);
        if (list) list.push(record);
        else byTopic.set(record.topic, [record]);
      }
      await this.client.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((r) => ({
            key: r.key,
            value: r.value,
            // Structured mode of the CloudEvents Kafka binding: the whole event is the value, announced by content-type.
            headers: { 'content-type': 'application/cloudevents+json' },
          })),
        })),
      });
    }
  }

  /** A short-lived admin connection per check: nothing lingers between checks or after a broker restart. */
  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
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

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1 FROM event_bus.group_offsets LIMIT 1');
  }

  async close(): Promise<void> {
    // Nothing of its own to release: it writes through the service's datasource.
  }
}
