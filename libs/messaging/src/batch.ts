import { EventPattern } from '@nestjs/microservices';
import type { EventDataMethodDecorator } from '@nestjs/microservices/decorators/event-pattern.decorator.js';
import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';

/** Where a batch came from: one topic (and, on Kafka, one partition) in log order. */
export interface EventBatchContext {
  topic: string;
  /** Kafka partition; null on the embedded bus. */
  partition: number | null;
}

/**
 * Marks an event handler that takes a whole batch: it is called with the messages of one
 * topic (one partition on Kafka) in log order, as an array, and its promise settles when the
 * batch is durably handled. The transport commits its position only after that, and calls
 * the handler again with the same messages when it throws.
 */
export const BatchEventPattern = (topic: string): EventDataMethodDecorator<Record<string, unknown[]>, string> =>
  EventPattern<Record<string, unknown[]>>(topic, { batch: true });

export function isBatchHandler(handler: MessageHandler): boolean {
  return (handler.extras as { batch?: unknown } | undefined)?.batch === true;
}

/** Calls a Nest handler and waits for it, whatever it returns (value, promise or observable). */
export async function runHandler(handler: MessageHandler, data: unknown, context: unknown): Promise<void> {
  const result: unknown = await handler(data, context);
  if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
}

/** Most events read from the embedded bus at once. */
export const EMBEDDED_BATCH_SIZE = 5_000;

/**
 * Batches of one read handed to a batch handler at once on the embedded bus by default, split by
 * key (the embedded counterpart of a Kafka consumer's partitions consumed concurrently: the batches
 * apply in parallel transactions, and a key's events stay in one of them, in order). Set by
 * EMBEDDED_BUS_PARTITIONS.
 */
export const EMBEDDED_PARTITIONS = 2;
