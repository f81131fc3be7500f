import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PROMPT_STREAM_PRUNE_BATCH } from './prompt-rules.js';

/** What opening a stream came to: a slot, a signature already used, or the device's streams all taken. */
export type StreamClaim = { kind: 'opened'; id: string } | { kind: 'replayed' } | { kind: 'full'; retryAfterSeconds: number };

export interface StreamRequest {
  deviceId: string;
  /** The request's X-Signature, already verified. */
  signature: string;
  /** Until when the signature would pass the guard (its X-Timestamp plus the skew window). */
  replayableUntil: Date;
  now: Date;
  /** Until when the stream may run at the latest. */
  endsAt: Date;
  perDevice: number;
}

/**
 * The PADs' open prompt streams in PostgreSQL (pad_streams), so that the limit per device and the
 * single use of a signature hold across replicas. Opening is one transaction under an advisory lock
 * per device: it prunes spent rows, refuses a signature seen before, counts the device's open streams
 * and takes a slot. A refused request's signature is remembered too (it cannot be tried again).
 */
@Injectable()
export class PromptStreamsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async open(r: StreamRequest): Promise<StreamClaim> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('pad_streams'), hashtext($1))`, [r.deviceId]);
      await m.query(
        `DELETE FROM pad_streams WHERE id IN (
           SELECT id FROM pad_streams WHERE replayable_until < $1 AND (closed_at IS NOT NULL OR ends_at < $1) LIMIT $2)`,
        [r.now, PROMPT_STREAM_PRUNE_BATCH],
      );
      const seen = await m.query<unknown[]>(`SELECT 1 FROM pad_streams WHERE device_id = $1 AND signature = $2`, [r.deviceId, r.signature]);
      if (seen.length) return { kind: 'replayed' };
      const open = await m.query<Array<{ ends_at: Date }>>(
        `SELECT ends_at FROM pad_streams WHERE device_id = $1 AND closed_at IS NULL AND ends_at > $2 ORDER BY ends_at`,
        [r.deviceId, r.now],
      );
      const full = open.length >= r.perDevice;
      const id = randomUUID();
      await m.query(
        `INSERT INTO pad_streams (id, device_id, signature, opened_at, ends_at, closed_at, replayable_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, r.deviceId, r.signature, r.now, r.endsAt, full ? r.now : null, r.replayableUntil],
      );
      if (!full) return { kind: 'opened', id };
      const freedAt = open[0]!.ends_at.getTime();
      return { kind: 'full', retryAfterSeconds: Math.max(1, Math.ceil((freedAt - r.now.getTime()) / 1000)) };
    });
  }

  /** Frees the stream's slot (its signature stays remembered until it expires). */
  async close(id: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE pad_streams SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL`, [id, now]);
  }
}
