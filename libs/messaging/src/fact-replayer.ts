import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { advisoryLockKey } from '#libs/database';
import { OutboxService, type OutboxEntry } from './outbox.service.js';

/** One fact as a replay re-sends it: its place in its stream, and the events that tell it as it stands. */
export interface ReplayFact {
  /** Unique and ascending within the stream (an id or a code). */
  cursor: string;
  /** The fact's events, each built with `{ replay }` (CloudEvent.replay). */
  events(replay: string): OutboxEntry[];
}

/** One kind of fact a service re-sends, read a page at a time in cursor order. */
export interface ReplayStream {
  /** The name the replay's result counts these facts under (`reviews`, `cases`, …). */
  name: string;
  /** Up to `limit` facts whose cursor is after `after` (from the first when null), in cursor order. */
  read(manager: EntityManager, after: string | null, limit: number): Promise<ReplayFact[]>;
}

export interface ReplayRun {
  replayId: string;
  /** Facts re-sent, by stream name. */
  counts: Record<string, number>;
  /** Events written to the outbox. */
  events: number;
  startedAt: string;
  finishedAt: string;
}

/** Facts per page: one transaction writes a page's events to the outbox. */
const PAGE = 1_000;

/**
 * Re-sends a service's facts as events through its ordinary outbox (POST /admin/replay), so that a
 * consumer that lost its state — statistics' schema lost entirely — gets it back from the ordinary
 * pipeline, without reaching into the service's tables.
 *
 * Event ids: every replayed event has a new id (and `replay` = the replay's id), so it is a new delivery
 * to every inbox — one that still remembers the original events (a schema restored from an older backup)
 * applies it too. Its effect is exactly once all the same: each event carries the fact as it stands, and
 * the consumers keep facts by state (a submitted review is not submitted again, a case or class version
 * not newer than the one held changes nothing, a unit's latest name wins), so applying it to a consumer
 * that already holds the fact changes nothing, and a redelivery of the replayed event itself is dropped
 * by the inbox (same id). Consumers that act on news rather than keep state pass replayed events over
 * (isReplayed).
 *
 * One replay per service at a time, across replicas (a PostgreSQL advisory lock; another answers 409).
 * The audit entry is written first, in its own transaction, so that even a replay cut short is recorded;
 * then every stream, a page per transaction: a replay cut short re-sends part of the facts, which is
 * harmless, and is finished by running it again.
 */
@Injectable()
export class FactReplayer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  async replay(
    service: string,
    streams: readonly ReplayStream[],
    audit: (manager: EntityManager, replayId: string) => Promise<void>,
  ): Promise<ReplayRun> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const key = advisoryLockKey(`replay:${service}`);
      const [held] = (await lock.query(`SELECT pg_try_advisory_lock($1) AS ok`, [key])) as Array<{ ok: boolean }>;
      if (!held?.ok) throw new DomainError(ErrorCode.Conflict, 'A replay of this service is already running; wait for it to finish.');
      try {
        return await this.run(streams, audit);
      } finally {
        await lock.query(`SELECT pg_advisory_unlock($1)`, [key]);
      }
    } finally {
      await lock.release();
    }
  }

  private async run(
    streams: readonly ReplayStream[],
    audit: (manager: EntityManager, replayId: string) => Promise<void>,
  ): Promise<ReplayRun> {
    const replayId = randomUUID();
    const startedAt = new Date().toISOString();
    await this.dataSource.transaction((m) => audit(m, replayId));
    const counts: Record<string, number> = {};
    let events = 0;
    for (const stream of streams) {
      counts[stream.name] = 0;
      let after: string | null = null;
      for (;;) {
        const page: ReplayFact[] = await this.dataSource.transaction(async (m) => {
          const facts = await stream.read(m, after, PAGE);
          const entries = facts.flatMap((fact) => fact.events(replayId));
          await this.outbox.add(m, entries);
          events += entries.length;
          return facts;
        });
        counts[stream.name] += page.length;
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.cursor;
      }
    }
    return { replayId, counts, events, startedAt, finishedAt: new Date().toISOString() };
  }
}
