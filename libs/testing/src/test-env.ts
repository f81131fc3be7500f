import { randomBytes } from 'node:crypto';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** Environment for services under test; Kafka only when asked for. */
export function applyTestEnv(databaseUrl: string, options: { kafka?: boolean } = {}): void {
  process.env.DATABASE_URL = databaseUrl;
  process.env.JWT_SECRET = TEST_JWT_SECRET;
  process.env.DATA_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
  process.env.LOG_LEVEL ??= 'warn';
  process.env.OUTBOX_POLL_MS = '20';
  if (!options.kafka) delete process.env.KAFKA_BROKERS;
}
