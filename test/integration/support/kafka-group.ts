import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

/** The broker the integration tests run against (scripts/kafka.sh start); they refuse to run without it. */
export function integrationBrokers(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: integration tests need the real broker (scripts/kafka.sh start).');
  return brokers;
}

/** A test's own producer and admin client on the real broker. */
export async function kafkaClients(brokers: string[]): Promise<{ producer: Producer; admin: Admin }> {
  const kafka = new Kafka({ clientId: 'integration-test', brokers, logLevel: logLevel.WARN });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  return { producer, admin };
}

/**
 * Starts a consumer group at the end of its topics. Other runs' events on the shared topics belong
 * to other databases. (Explicit offsets: a reset to "latest" is stored as -1, which the consumer
 * reads as "none" and starts from the beginning.)
 */
export async function startGroupAtEnd(admin: Admin, groupId: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high }));
    await admin.setOffsets({ groupId, topic, partitions });
  }
}
