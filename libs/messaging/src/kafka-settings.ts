import { logLevel } from 'kafkajs';

/**
 * Group membership of every consumer, in one place (the Kafka transports read it).
 *
 * - `sessionTimeout` 8 s with a heartbeat every second: a killed instance is declared
 *   dead, and its partitions handed to the others, within about 10 s (the default 30 s
 *   stalled them for 30–45 s). The broker's floor is 6 s (group.min.session.timeout.ms).
 *   Handlers here are short database transactions, so 8 s leaves room for a slow one.
 * - `rebalanceTimeout` 10 s: how long a rebalance waits for members to rejoin, so a
 *   restarted instance joins without a 30 s stall.
 * - A stopping instance leaves the group on `close()` (kafkajs sends LeaveGroup when
 *   the consumer disconnects; Nest closes it on SIGTERM), so a deploy moves its
 *   partitions at once instead of after the session timeout.
 */
/**
 * Reconnecting after a broker outage: back off up to 3 s. kafkajs restarts a consumer that
 * ran out of retries after the last back-off, which with its default cap (30 s) left the
 * consumers idle for 30 s after the broker came back.
 */
export const KAFKA_CONSUMER_RETRY = { initialRetryTime: 300, maxRetryTime: 3_000, retries: 10 } as const;

export const KAFKA_CONSUMER_SETTINGS = {
  sessionTimeout: 8_000,
  heartbeatInterval: 1_000,
  rebalanceTimeout: 10_000,
} as const;

/** The kafkajs client and consumer options of a service's consumer group. */
export function kafkaConsumerOptions(service: string, brokers: string[]) {
  return {
    client: { clientId: `${service}-consumer`, brokers, logLevel: logLevel.WARN, retry: KAFKA_CONSUMER_RETRY },
    consumer: {
      groupId: service,
      allowAutoTopicCreation: false,
      ...KAFKA_CONSUMER_SETTINGS,
      retry: KAFKA_CONSUMER_RETRY,
    },
  };
}
