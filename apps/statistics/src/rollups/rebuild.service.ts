import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  difference,
  ROLLUP_TABLES,
  reviewContribution,
  type RollupDelta,
  type RollupTable,
  unresolvedContribution,
} from './contribution.js';
import { type FactTable, REVIEW_FACTS, RollupsRepository, UNRESOLVED_FACTS } from './rollups.repository.js';

export interface RebuildResult {
  reviews: number;
  unresolvedReports: number;
  rebuiltAt: string;
}

/** Facts read per FETCH of the grouping cursor, and rollup rows written per statement. */
const FETCH_ROWS = 20_000;
const WRITE_ROWS = 10_000;

/**
 * Recomputes every rollup from statistics' own facts (review_facts, unresolved_facts: what the consumers
 * stored from the events), through the same `contribution` functions the consumers apply event by event
 * (contribution.ts): the rollups are the sum of the contributions of the current facts, and the
 * incremental path keeps them so by adding `contribution(after) − contribution(before)`. One copy of
 * every rule; nothing here reads another service's schema. A statistics schema lost entirely is
 * filled again by the services replaying their facts (POST /admin/replay on intake and rectification).
 *
 * Identical facts contribute identically, so the facts are read grouped by every column but their id,
 * with their number: a plain GROUP BY that knows no rule (the 10 M facts of the benchmark are 634 k groups),
 * streamed through a cursor. One transaction holds the fact tables against writes, so that no event is
 * applied half-way through; the rollups are emptied and written again through the consumers' writer.
 */
@Injectable()
export class RebuildService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RollupsRepository,
  ) {}

  async rebuild(): Promise<RebuildResult> {
    return this.dataSource.transaction(async (m) => {
      // The facts are grouped by a hash, in memory (10 M bench facts: 634 k groups, 150 MB; more spills to disk): the
      // planner, which cannot tell how few distinct facts there are, would sort all of them on disk instead (7× slower).
      await m.query(`SET LOCAL work_mem = '256MB'`);
      await m.query(`SET LOCAL enable_sort = off`);
      await m.query(`LOCK TABLE review_facts, unresolved_facts IN EXCLUSIVE MODE`);
      await m.query(`TRUNCATE ${Object.keys(ROLLUP_TABLES).join(', ')}`);
      const sums = new RollupSums();
      const reviews = await this.addContributions(m, REVIEW_FACTS, reviewContribution, sums);
      const unresolvedReports = await this.addContributions(m, UNRESOLVED_FACTS, unresolvedContribution, sums);
      for (const chunk of sums.chunks(WRITE_ROWS)) await this.repository.addDeltas(m, chunk);
      return { reviews, unresolvedReports, rebuiltAt: new Date().toISOString() };
    });
  }

  /** Adds every fact's contribution (× the number of identical facts) to `sums`; returns how many submitted facts there are. */
  private async addContributions<F>(
    m: EntityManager,
    kind: FactTable<F>,
    contribution: (fact: F) => RollupDelta[],
    sums: RollupSums,
  ): Promise<number> {
    const columns = Object.keys(kind.row('', kind.empty())).filter((c) => c !== kind.idColumn);
    const cursor = `rebuild_${kind.table}`;
    await m.query(
      `DECLARE ${cursor} NO SCROLL CURSOR FOR
       SELECT ${kind.factSelect}, n FROM (SELECT ${columns.join(', ')}, count(*)::int AS n FROM ${kind.table} GROUP BY ${columns.join(', ')}) g`,
    );
    let submitted = 0;
    for (;;) {
      const rows = await m.query<Array<F & { n: number; submitted: boolean }>>(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
      for (const { n, ...fact } of rows) {
        if (fact.submitted) submitted += n;
        sums.add(contribution({ ...kind.empty(), ...(fact as F) }), n);
      }
      if (rows.length < FETCH_ROWS) break;
    }
    await m.query(`CLOSE ${cursor}`);
    return submitted;
  }
}

/** Rollup rows summed in memory: a handful of rows per unit and day, whatever the number of facts. */
class RollupSums {
  private readonly rows = new Map<string, RollupDelta>();

  add(deltas: RollupDelta[], times: number): void {
    for (const delta of deltas) {
      const id = `${delta.table}\u0000${delta.key.join('\u0000')}`;
      const row = this.rows.get(id);
      if (row) delta.counters.forEach((c, i) => (row.counters[i] += c * times));
      else this.rows.set(id, { table: delta.table, key: delta.key, counters: delta.counters.map((c) => c * times) });
    }
  }

  /** The non-zero rows, a table at a time, in chunks for the writer. */
  *chunks(size: number): Generator<RollupDelta[]> {
    const byTable = new Map<RollupTable, RollupDelta[]>();
    for (const row of difference([], [...this.rows.values()])) {
      const list = byTable.get(row.table);
      if (list) list.push(row);
      else byTable.set(row.table, [row]);
    }
    for (const rows of byTable.values()) for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }
}
