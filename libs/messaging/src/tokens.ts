/** Options of the messaging module for one service. */
export interface MessagingOptions {
  /** Service name: Kafka client id and consumer group, CloudEvents source suffix. */
  service: string;
  /** The service's schema (outbox and inbox tables live there). */
  schema: string;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');

export interface OutgoingRecord {
  topic: string;
  key: string;
  /** The CloudEvent, serialized. */
  value: string;
  eventId: string;
}

/** Where the outbox relay hands events: Kafka, or the embedded bus in PostgreSQL. */
export interface EventPublisher {
  readonly kind: 'kafka' | 'embedded';
  connect(): Promise<void>;
  /**
   * Publishes records in order. The embedded publisher writes within `runner`'s
   * transaction, so the hand-off and the outbox update commit together.
   */
  publish(records: OutgoingRecord[], runner: import('typeorm').QueryRunner): Promise<void>;
  /** The producer's life so far (health and metrics). */
  state(): PublisherState;
  /** Throws when the broker cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PublisherState {
  transport: 'kafka' | 'embedded';
  /** A producer is connected now. */
  connected: boolean;
  /** Producers built so far (each rebuild takes a new producer id). */
  generation: number;
  /** Producers thrown away after a fatal error or repeated failures. */
  rebuilds: number;
  consecutiveFailures: number;
  lastError: string | null;
}
