import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Env, ENV } from '#libs/common';
import { type PreparedRating, RatingsRepository, type WriteOutcome } from './ratings.repository.js';

interface Pending {
  row: PreparedRating;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  queue: Pending[];
  busy: boolean;
  scheduled: boolean;
}

const newLanes = (count: number): Lane[] => Array.from({ length: count }, () => ({ queue: [], busy: false, scheduled: false }));

const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure

/** FNV-1a: a stable lane per 刷评 key (a PAD's device, or a platform client's unit). */
function laneOf(burstKey: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < burstKey.length; i++) h = Math.imul(h ^ burstKey.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

/**
 * Group commit for ratings. Requests that arrive while an earlier transaction is in
 * flight are coalesced into one transaction — one statement, one round trip
 * (RatingsRepository.writeGroup) — so the commit cost is shared; each caller still gets
 * its own exact outcome, and is answered only after the commit (durable before the 2xx).
 * At low load a rating is written alone at once; under load groups grow by themselves.
 *
 * Ratings are spread over lanes by device, each lane writing one group at a time. Single
 * ratings share few lanes (INTAKE_WRITE_LANES, default one: the fewer the lanes, the
 * larger the groups and the cheaper each rating). Offline batches, already hundreds of
 * ratings each, have lanes of their own (INTAKE_BATCH_LANES), so a live rating never
 * waits behind a backlog upload's commit, and batches of different devices commit in
 * parallel. A device's lock makes concurrent writers of one device correct wherever
 * they run (another lane, another instance); lanes only decide who waits.
 */
@Injectable()
export class RatingWriter {
  private readonly logger = new Logger(RatingWriter.name);
  /** Lanes of single ratings, INTAKE_WRITE_LANES (leave pool connections for the relay and the registry). */
  private readonly singleLanes: Lane[];
  /** Lanes of offline batches, INTAKE_BATCH_LANES. */
  private readonly batchLanes: Lane[];
  /** Most ratings in one transaction, INTAKE_WRITE_GROUP. */
  private readonly maxGroup: number;

  constructor(
    private readonly repository: RatingsRepository,
    @Inject(ENV) env: Pick<Env, 'INTAKE_WRITE_LANES' | 'INTAKE_BATCH_LANES' | 'INTAKE_WRITE_GROUP'>,
  ) {
    this.singleLanes = newLanes(env.INTAKE_WRITE_LANES);
    this.batchLanes = newLanes(env.INTAKE_BATCH_LANES);
    this.maxGroup = env.INTAKE_WRITE_GROUP;
  }

  /** One rating (POST /ratings): stored durably, with its event, before the promise resolves. */
  write(row: PreparedRating): Promise<WriteOutcome> {
    return this.enqueue(this.singleLanes, row);
  }

  /** An offline batch's valid ratings, on the batch lanes; each gets its own outcome (a failure rejects only its own promise). */
  writeAll(rows: PreparedRating[]): Array<Promise<WriteOutcome>> {
    return rows.map((row) => this.enqueue(this.batchLanes, row));
  }

  private enqueue(lanes: Lane[], row: PreparedRating): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      const lane = lanes[laneOf(row.burstKey, lanes.length)]!;
      lane.queue.push({ row, resolve, reject });
      if (lane.busy || lane.scheduled) return;
      lane.scheduled = true;
      // setImmediate: everything parsed in this turn of the event loop joins the same group.
      setImmediate(() => {
        lane.scheduled = false;
        this.pump(lane);
      });
    });
  }

  private pump(lane: Lane): void {
    if (lane.busy || lane.queue.length === 0) return;
    const group = lane.queue.splice(0, this.maxGroup);
    lane.busy = true;
    void this.run(group).finally(() => {
      lane.busy = false;
      this.pump(lane);
    });
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
        return await this.repository.writeGroup(rows);
      } catch (err) {
        const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= 3) throw err;
      }
    }
  }
}
