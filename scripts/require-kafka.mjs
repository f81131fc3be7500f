// Integration tests run against a real Kafka broker only: fail clearly when none is configured.
if (!process.env.KAFKA_BROKERS) {
  process.stderr.write(
    'test:integration needs a real Kafka broker: start one with `scripts/kafka.sh start`, then run\n' +
      '  KAFKA_BROKERS=127.0.0.1:9092 npm run test:integration\n',
  );
  process.exit(1);
}
