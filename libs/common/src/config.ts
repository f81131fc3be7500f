import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync, ValidateIf } from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;

/**
 * Every variable the services read, validated once at start-up. A bad value stops
 * the process with a message that names it (see `loadEnv`).
 */
export class Env {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL: string;

  @IsOptional()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS?: string;

  @ValidateIf((env: Env) => !env.JWT_PUBLIC_KEY)
  @IsString({ message: 'is required (or set JWT_PUBLIC_KEY)' })
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  JWT_PUBLIC_KEY?: string;

  /** intake: RS256 private key matching JWT_PUBLIC_KEY, to issue console logins' tokens (HS256 logins sign with JWT_SECRET). */
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY?: string;

  /** intake: where its /console proxy reaches the other services (default: this host's RECTIFICATION_PORT / STATISTICS_PORT). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+$/, { message: 'must be an http(s)://host[:port] origin' })
  RECTIFICATION_URL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+$/, { message: 'must be an http(s)://host[:port] origin' })
  STATISTICS_URL?: string;

  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, {
    message: 'must be a 256-bit key: 64 hex characters or 32 bytes in base64',
  })
  DATA_ENCRYPTION_KEY: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  INTAKE_PORT = 3001;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  RECTIFICATION_PORT = 3002;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  STATISTICS_PORT = 3003;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Write log lines to this file instead of stdout (the tests use one per jest worker). */
  @IsOptional()
  @IsString()
  LOG_FILE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(60000)
  OUTBOX_POLL_MS = 50;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /**
   * Readiness fails when the oldest unpublished outbox event is older than this while
   * the broker answers: the relay is stalled (a broker outage alone does not count).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  OUTBOX_STALL_SECONDS = 60;

  /**
   * A Kafka consumer that neither fetched nor heartbeat for this long is disconnected and built
   * again (a running one fetches several times a second, and heartbeats while it applies a batch).
   */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(3600)
  KAFKA_CONSUMER_STALL_SECONDS = 30;

  /**
   * Embedded bus: batches of one read applied at once, split by key (as a Kafka consumer's
   * partitions). Two let the consumer's thread fold one batch while PostgreSQL writes the other:
   * on 2 cores the statistics drain went from 10,570 to 12,813 events/s and rectification's from
   * 17,830 to 20,758 (BENCHMARKS.md § Pipeline); three gained nothing more there.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(12)
  EMBEDDED_BUS_PARTITIONS = 2;

  /** Interface the HTTP servers bind to. */
  @IsString()
  HOST = '0.0.0.0';

  /** intake: processes behind one port (node:cluster). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  INTAKE_WORKERS = 1;

  /** intake: group-commit lanes of single ratings (fewer lanes, larger groups). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  INTAKE_WRITE_LANES = 1;

  /** intake: group-commit lanes of offline batches (apart from single ratings). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  INTAKE_BATCH_LANES = 2;

  /** intake: most ratings committed in one transaction. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  INTAKE_WRITE_GROUP = 1000;

  /** intake: per-device rate limit, requests per second and bucket size. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.001)
  INTAKE_DEVICE_RATE = 20;

  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  INTAKE_DEVICE_BURST = 100;

  /** intake: per-hotline-client rate limit, requests per second and bucket size. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.001)
  INTAKE_CLIENT_RATE = 50;

  @Transform(toNumber)
  @IsNumber()
  @Min(1)
  INTAKE_CLIENT_BURST = 200;

  /**
   * intake: a device rating's ratedAt may lie at most this many days before its receipt (a PAD clock
   * reset to 2000 or a rating replayed into a closed quarter is refused; history comes in through
   * POST /imports/ratings).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3660)
  RATING_MAX_AGE_DAYS = 30;

  /** intake: ratings one device may submit per hour, single and batch items alike (a bucket refilled evenly over the hour). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  INTAKE_DEVICE_ITEMS_PER_HOUR = 3000;

  /** Signed requests (HMAC) failing authentication tolerated per credential id per minute before 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_ID_PER_MINUTE = 10;

  /** Signed requests failing authentication tolerated per client address per minute before 429 (a hall's PADs may share one). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_ADDRESS_PER_MINUTE = 60;

  /** statistics: report, export and bulletin requests one caller may have in flight at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  HEAVY_READ_CONCURRENCY = 2;

  /** statistics: report, export and bulletin requests per caller per minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  HEAVY_READ_PER_MINUTE = 60;

  /**
   * Whether the service migrates its schema on start-up (under an advisory lock, so replicas starting
   * at once migrate once). A deployment that runs migrations as a release Job sets `false`: the service
   * then refuses to start while a migration of its schema is pending, naming it (deploy/README.md).
   */
  @IsIn(['true', 'false'])
  MIGRATE_ON_START: 'true' | 'false' = 'true';

  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (per-address login throttles, audit): the
   * load balancer's addresses or CIDRs, comma-separated (e.g. `10.0.0.0/8`). Unset: none, the
   * connection's address is the client's. Behind a balancer it must be set, or every client shares the balancer's
   * address and one stranger's failures throttle everyone.
   */
  @IsOptional()
  @Matches(/^[0-9A-Fa-f.:]+(\/\d{1,3})?(,[0-9A-Fa-f.:]+(\/\d{1,3})?)*$/, {
    message: 'must be a comma-separated list of addresses or CIDRs',
  })
  TRUST_PROXY?: string;

  /**
   * On SIGTERM, how long a replica keeps serving with readiness at 503 before it closes its HTTP server, so that
   * its load balancer stops sending to it first (HAProxy's checks every 2 s, 2 failures: 4 s; Kubernetes also
   * has the pod's preStop pause). 0 for one process with no balancer (npm start).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(120000)
  SHUTDOWN_DRAIN_MS = 5000;

  /**
   * Days a consumer's inbox (processed_events) remembers a handled event. An event can only be delivered again
   * while it is still on its topic (Kafka's log retention and the embedded bus keep 7 days) or unpublished in an
   * outbox, and an unpublished event has no inbox row yet; so a row older than the topics' retention can never meet
   * its event again. Dead-lettered events are kept (they are the record of what was refused).
   */
  @Transform(toInt)
  @IsInt()
  @Min(8)
  @Max(3660)
  INBOX_RETENTION_DAYS = 30;

  /**
   * statistics: the secret that signs shareable bulletin links (≥ 32 characters). Unset, links are signed with a key derived
   * from JWT_SECRET (for this purpose only); with neither (RS256 tokens only) links cannot be made (503). Changing it ends
   * every link given out.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  BULLETIN_LINK_SECRET?: string;

  /** GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (≥ 16 characters); unset, /metrics answers no one. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * PIPL: days a reviewer's or citizen's name and phone are kept after their case closes (or, where no
   * case opened, after receipt); then a scheduled sweep erases them. Figures, timelines and the audit stay.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3660)
  PERSONAL_DATA_RETENTION_DAYS = 180;
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Validates the environment; throws EnvError naming every bad variable. */
export function loadEnv(raw: Record<string, string | undefined> = process.env): Env {
  const env = plainToInstance(Env, stripEmpty(raw), { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: false });
  if (errors.length) {
    throw new EnvError(errors.map((e) => `${e.property} ${Object.values(e.constraints ?? {}).join('; ')}`));
  }
  return env;
}

/** The name of every variable `Env` reads, optional ones without a default included. */
export const ENV_VARIABLES: readonly string[] = [
  ...new Set([
    ...Object.keys(new Env()),
    'DATABASE_URL',
    'KAFKA_BROKERS',
    'JWT_SECRET',
    'JWT_PUBLIC_KEY',
    'JWT_PRIVATE_KEY',
    'RECTIFICATION_URL',
    'STATISTICS_URL',
    'DATA_ENCRYPTION_KEY',
    'METRICS_TOKEN',
    'BULLETIN_LINK_SECRET',
    'LOG_FILE',
    'TRUST_PROXY',
  ]),
];

function stripEmpty(raw: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENV_VARIABLES) {
    const value = raw[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

export function kafkaBrokers(env: Env): string[] | null {
  return env.KAFKA_BROKERS ? env.KAFKA_BROKERS.split(',') : null;
}

/** Injection token of the validated `Env`. */
export const ENV = Symbol('ENV');
