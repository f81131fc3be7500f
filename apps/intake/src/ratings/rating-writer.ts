import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type PreparedRating, RatingsRepository, type WriteOutcome } from './ratings.repository.js';

interface Pending {
  row: PreparedRating;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * Group commit for ratings. Requests that arrive while earlier transactions are in
 * flight are coalesced into one transaction (one multi-row INSERT … ON CONFLICT, one
 * outbox insert, one commit), so the commit cost is shared; each caller still gets its
 * own exact outcome, and is answered only after the commit (durable before the 2xx).
 * At low load a rating is written alone at once; under load groups grow by themselves.
 */
@Injectable()
export class RatingWriter {
  private readonly logger = new Logger(RatingWriter.name);
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Transactions at once (leave pool connections for the relay and the registry). */
  private readonly maxConcurrent = numberFromEnv('INTAKE_WRITE_CONCURRENCY', 4);
  private readonly maxGroup = numberFromEnv('INTAKE_WRITE_GROUP', 500);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RatingsRepository,
  ) {}

  write(row: PreparedRating): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  writeAll(rows: PreparedRating[]): Promise<WriteOutcome[]> {
    return Promise.all(rows.map((row) => this.write(row)));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: everything parsed in this turn of the event loop joins the same group.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      this.inFlight += 1;
      void this.run(group).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.pump();
      });
    }
  }

  private async run(group: Pending[]): Promise<void> {
    try {
      const outcomes = await this.commit(group.map((p) => p.row));
      group.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One bad row must not fail its neighbours: write them one by one.
      this.logger.warn({ err, size: group.length }, 'group write failed; retrying its ratings one by one');
      await Promise.all(group.map((p) => this.commit([p.row]).then(([o]) => p.resolve(o!), p.reject)));
    }
  }

  private async commit(rows: PreparedRating[]): Promise<WriteOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((manager) => this.repository.writeGroup(manager, rows));
      } catch (err) {
        const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= 3) throw err;
      }
    }
  }
}
