import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { signRequest } from '#libs/auth';
import { DataCipher } from '#libs/common';
import { ScheduledJobs } from '#libs/messaging';

/** Backoff after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 10 minutes. */
export function callbackBackoffMs(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** How long a claimed reply stays invisible to other instances while it is being sent. */
const LEASE_SECONDS = 60;
const BATCH = 20;
const TIMEOUT_MS = 10_000;

interface ClaimedReply {
  id: string;
  body: string;
  attempts: number;
  client_id: string;
  callback_url: string | null;
  secret_sealed: string | null;
  revoked: boolean | null;
}

/**
 * Delivers hotline replies from the `hotline_callbacks` outbox: claims due rows with
 * FOR UPDATE SKIP LOCKED and a lease (safe in several instances, survives restarts), POSTs the
 * frozen body signed with the client's secret, and on anything but 2xx retries with exponential
 * backoff. A row is DELIVERED only after a 2xx; a crash mid-send means one more send of the same
 * bytes and reply id, which the receiver dedupes.
 */
@Injectable()
export class HotlineDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(HotlineDispatcher.name);
  private readonly kicked = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: DataCipher,
    jobs: ScheduledJobs,
  ) {
    // Retries once a second (ScheduledJobs: one replica per tick); a closing case does not wait for it (kick).
    jobs.register({ name: 'hotline-callbacks', everyMs: 1000, run: () => this.dispatchAllDue() });
  }

  /** Sends due replies now (after a case closes), without waiting for the next tick; the rows' leases keep it single. */
  kick(): void {
    if (this.stopped) return;
    const sending = this.dispatchAllDue()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err }, 'hotline callback dispatch failed'))
      .finally(() => this.kicked.delete(sending));
    this.kicked.add(sending);
  }

  /** Passes until no due reply is left; returns how many were tried. */
  async dispatchAllDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const tried = await this.dispatchDue();
      total += tried;
      if (tried < BATCH) return total;
    }
  }

  /** One pass: claims and sends the due replies; returns how many it tried. */
  async dispatchDue(): Promise<number> {
    const claimed = await this.dataSource.query<ClaimedReply[]>(
      `WITH due AS (
         SELECT id FROM hotline_callbacks WHERE status = 'PENDING' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE hotline_callbacks cb SET attempts = cb.attempts + 1, last_attempt_at = now(),
           next_attempt_at = now() + make_interval(secs => $1)
         FROM due WHERE cb.id = due.id
         RETURNING cb.id, cb.body, cb.attempts, cb.client_id)
       SELECT c.id, c.body, c.attempts, c.client_id, hc.callback_url, hc.secret_sealed, hc.revoked
       FROM claimed c LEFT JOIN hotline_clients hc ON hc.client_id = c.client_id`,
      [LEASE_SECONDS, BATCH],
    );
    await Promise.all(claimed.map((row) => this.send(row)));
    return claimed.length;
  }

  private async send(row: ClaimedReply): Promise<void> {
    if (!row.secret_sealed) {
      // The registry event has not arrived yet: try again later.
      await this.failed(row, null, 'hotline client not known yet');
      return;
    }
    if (!row.callback_url || row.revoked) {
      await this.dataSource.query(`UPDATE hotline_callbacks SET status = 'NO_CALLBACK', last_error = $2 WHERE id = $1`, [
        row.id,
        row.revoked ? 'client revoked' : 'client has no callbackUrl',
      ]);
      return;
    }
    const url = new URL(row.callback_url);
    const timestamp = String(Date.now());
    const secret = this.cipher.open(row.secret_sealed);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Client-Id': row.client_id,
          'X-Timestamp': timestamp,
          'X-Signature': signRequest(secret, 'POST', `${url.pathname}${url.search}`, timestamp, row.body),
          'X-Reply-Id': row.id,
          'Idempotency-Key': row.id,
        },
        body: row.body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        await this.dataSource.query(
          `UPDATE hotline_callbacks SET status = 'DELIVERED', delivered_at = now(), last_status = $2, last_error = NULL WHERE id = $1`,
          [row.id, res.status],
        );
        return;
      }
      await this.failed(row, res.status, `HTTP ${res.status}`);
    } catch (err) {
      await this.failed(row, null, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  }

  private async failed(row: ClaimedReply, status: number | null, reason: string): Promise<void> {
    const delay = callbackBackoffMs(row.attempts);
    await this.dataSource.query(
      `UPDATE hotline_callbacks SET next_attempt_at = now() + make_interval(secs => $2), last_status = $3, last_error = $4
       WHERE id = $1 AND status = 'PENDING'`,
      [row.id, delay / 1000, status, reason.slice(0, 500)],
    );
    this.logger.warn(
      { replyId: row.id, attempts: row.attempts, retryInMs: delay, reason },
      'hotline callback not acknowledged; will retry',
    );
  }

  /** Lets the kicked sends under way finish; no new kick starts. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.kicked);
  }
}
