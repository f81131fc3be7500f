import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { advisoryLockKey } from '#libs/database';
import { BUS_SCHEMA } from '#libs/messaging';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { applyTestEnv, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';

/** A second intake on the embedded bus serves HTTP only: the bus takes one consumer per service (replicas consume on Kafka). */
const HTTP_ONLY_REPLICA = { ...INTAKE_APP, consumesEvents: false } as const;

/**
 * The outbox relay on two replicas of a service: one publishes at a time (a transaction-scoped advisory lock,
 * which keeps each key's order), so no event goes out twice; and a replica that dies while holding the lock
 * does not stall the other, since the lock goes with its connection.
 */
describe('outbox relay on two replicas', () => {
  let db: TestDatabase;
  let replicas: INestApplication[];
  let sql: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('relay2');
    applyTestEnv(db.url);
    replicas = [await startTestService(IntakeModule, INTAKE_APP), await startTestService(IntakeModule, HTTP_ONLY_REPLICA)];
    sql = replicas[0]!.get(DataSource);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await db?.drop();
  });

  /** Outbox rows as a service's transactions write them, `count` at a time in `batches` transactions. */
  const writeEvents = async (prefix: string, batches: number, count: number) => {
    for (let b = 0; b < batches; b++) {
      await sql.query(
        `INSERT INTO intake.outbox (event_id, topic, message_key, payload)
         SELECT gen_random_uuid(), 'registry.units', 'U' || (i % 5),
                jsonb_build_object('id', $1 || '-' || $2 || '-' || i, 'type', 'test.relay', 'data', jsonb_build_object('n', i))
         FROM generate_series(1, $3) i`,
        [prefix, b, count],
      );
    }
  };
  const onBus = async (prefix: string) =>
    (
      await sql.query<Array<{ events: number; distinct: number }>>(
        `SELECT count(*)::int AS events, count(DISTINCT value->>'id')::int AS distinct FROM ${BUS_SCHEMA}.events
         WHERE value->>'id' LIKE $1 || '-%'`,
        [prefix],
      )
    )[0]!;
  const unpublished = async () =>
    (await sql.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL`))[0]!.n;

  it('publishes every event exactly once while both relay', async () => {
    await writeEvents('both', 30, 200);
    await eventually(unpublished, (n) => n === 0, 30_000);
    expect(await onBus('both')).toEqual({ events: 6000, distinct: 6000 });
  });

  it('goes on when the replica holding the relay lock dies mid-pass', async () => {
    const dying = new Client({ connectionString: db.url });
    await dying.connect();
    await dying.query('BEGIN');
    await dying.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('outbox-relay:intake')]);
    await writeEvents('stall', 5, 100);
    // While it holds the lock nobody publishes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await unpublished()).toBe(500);
    const [{ pid }] = (await dying.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    dying.on('error', () => undefined);
    await sql.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(unpublished, (n) => n === 0, 10_000);
    expect(await onBus('stall')).toEqual({ events: 500, distinct: 500 });
    await dying.end().catch(() => undefined);
  });
});
