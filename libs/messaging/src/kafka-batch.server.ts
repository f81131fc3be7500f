import { type KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { MetricsRegistry } from '#libs/common';
import { type EventBatchContext, isBatchHandler, runHandler } from './batch.js';
import { ConsumerWatchdog } from './consumer-watchdog.js';

export interface KafkaBatchServerSettings {
  /** Heartbeats sent while a batch is applied. */
  heartbeatMs: number;
  /** A consumer silent this long (no fetch, no heartbeat) is rebuilt (see ConsumerWatchdog). */
  stallMs: number;
  /** Where batches and consumer rebuilds are counted. */
  metrics?: MetricsRegistry;
}

/** How long a stuck consumer's disconnect may take before it is left behind. */
const DISCONNECT_TIMEOUT_MS = 15_000;

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
 * A watchdog rebuilds a consumer that crashed for good or went silent.
 */
export class KafkaBatchServer extends ServerKafka {
  private readonly heartbeatMs: number;
  private readonly metrics?: MetricsRegistry;
  readonly watchdog: ConsumerWatchdog;

  constructor(options: Required<KafkaOptions>['options'], settings: KafkaBatchServerSettings) {
    super(options);
    this.heartbeatMs = settings.heartbeatMs;
    this.metrics = settings.metrics;
    const group = options.consumer?.groupId ?? '';
    this.watchdog = new ConsumerWatchdog({
      name: `kafka consumer ${group}`.trim(),
      stallMs: settings.stallMs,
      checkEveryMs: Math.max(1_000, Math.floor(settings.stallMs / 4)),
      logger: this.logger,
      restart: () => this.rebuildConsumer(),
      onRestart: (reason) => this.metrics?.consumerRestarts.inc({ group, reason }),
    });
  }

  /**
   * A broker that cannot be reached at start does not keep the service from starting (intake's PADs must go on
   * rating, the outbox holds what waits for the broker): the consumer is marked crashed, and the watchdog joins
   * the group, with its back-off, once the broker answers.
   */
  override async start(callback: () => void): Promise<void> {
    try {
      await super.start(callback);
    } catch (err) {
      if (!this.client) throw err;
      this.logger.warn({ err }, 'the broker is unreachable at start; the consumer joins when it answers');
      this.watchdog.crashed(`could not join at start: ${err instanceof Error ? err.message : String(err)}`);
      callback();
    }
    this.watchdog.start();
  }

  override async close(): Promise<void> {
    await this.watchdog.stop();
    await super.close();
  }

  /** The consumer as it runs now (it is replaced when the watchdog rebuilds it). */
  get currentConsumer(): Consumer | null {
    return this.consumer;
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    const alive = () => this.watchdog.alive();
    consumer.on(consumer.events.FETCH, alive);
    consumer.on(consumer.events.HEARTBEAT, alive);
    consumer.on(consumer.events.GROUP_JOIN, alive);
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) this.watchdog.crashed(`crashed and not restarted: ${event.payload.error.message}`);
    });
  }

  /** Leaves the group with the old consumer (as far as it can) and joins again with a new one. */
  private async rebuildConsumer(): Promise<void> {
    if (!this.client) throw new Error('the Kafka client is closed');
    const old = this.consumer;
    this.consumer = null;
    if (old) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([old.disconnect(), new Promise((resolve) => (timer = setTimeout(resolve, DISCONNECT_TIMEOUT_MS).unref()))]).catch(
        () => undefined,
      );
      clearTimeout(timer);
    }
    const consumer = this.client.consumer({ ...(this.options.consumer ?? {}), groupId: this.groupId });
    this.consumer = consumer;
    this.registerConsumerEventListeners();
    try {
      await consumer.connect();
      await this.bindEvents(consumer);
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
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
    const group = this.groupId;
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
      this.metrics?.batchesHandled.inc({ group, outcome: 'applied' });
    } catch (err) {
      this.metrics?.batchesHandled.inc({ group, outcome: 'failed' });
      throw err;
    } finally {
      clearInterval(beat);
    }
    payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    await payload.heartbeat();
  }
}
