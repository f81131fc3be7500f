import { randomBytes } from 'node:crypto';
import { testLogFile } from './test-logs.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz';
/** The services under test read /metrics only with this bearer token (as in every mode). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';
/** The Authorization header a scraper sends for /metrics in tests. */
export const METRICS_AUTH = `Bearer ${TEST_METRICS_TOKEN}`;

/** Environment for services under test; Kafka only when asked for. */
export function applyTestEnv(databaseUrl: string, options: { kafka?: boolean } = {}): void {
  process.env.DATABASE_URL = databaseUrl;
  process.env.JWT_SECRET = TEST_JWT_SECRET;
  process.env.METRICS_TOKEN = TEST_METRICS_TOKEN;
  process.env.DATA_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
  process.env.LOG_LEVEL ??= 'warn';
  // A passing run prints nothing; each jest worker's service logs stay readable in .data/test-logs.
  process.env.LOG_FILE = testLogFile();
  process.env.OUTBOX_POLL_MS = '20';
  // Services under test have no load balancer to wait for when they stop (the drain has its own test).
  process.env.SHUTDOWN_DRAIN_MS ??= '0';
  // Tests poll the reports until events are applied; the per-caller heavy-read limit has its own test.
  process.env.HEAVY_READ_PER_MINUTE ??= '100000';
  if (!options.kafka) delete process.env.KAFKA_BROKERS;
}
