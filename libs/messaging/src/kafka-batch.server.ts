import { type KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { type EventBatchContext, isBatchHandler, runHandler } from './batch.js';

/** The message value as the JSON it carries (a CloudEvent), or as text when it is not JSON. */
function decode(message: KafkaMessage): unknown {
  const text = message.value?.toString('utf8') ?? '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Nest's Kafka transport, consuming with kafkajs `eachBatch`: a `@BatchEventPattern` handler
 * gets the batch of one partition at once (other handlers get its messages one by one, in order).
 * Offsets are resolved and committed only after the handler has settled, that is after its
 * database transaction committed — the consumer runs with autoCommit off, so nothing is committed
 * for a batch that failed or was cut short by a rebalance or shutdown; it is delivered again and
 * the inbox makes the repeat harmless. Heartbeats go out on a timer while a batch is applied.
 */
export class KafkaBatchServer extends ServerKafka {
  private readonly heartbeatMs: number;

  constructor(options: Required<KafkaOptions>['options'], heartbeatMs: number) {
    super(options);
    this.heartbeatMs = heartbeatMs;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics });
    await consumer.run({
      ...(this.options.run ?? {}),
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const handler = this.getHandlerByPattern(batch.topic);
    const context: EventBatchContext = { topic: batch.topic, partition: batch.partition };
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), this.heartbeatMs);
    try {
      if (!handler) {
        this.logger.error(`No handler for topic ${batch.topic}`);
      } else if (isBatchHandler(handler)) {
        await runHandler(handler, batch.messages.map(decode), context);
      } else {
        for (const message of batch.messages) {
          if (!payload.isRunning() || payload.isStale()) return;
          await runHandler(handler, decode(message), context);
          payload.resolveOffset(message.offset);
        }
      }
    } finally {
      clearInterval(beat);
    }
    payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    await payload.heartbeat();
  }
}
