import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CasePublicationData, CaseOutcome, CaseSource } from '#libs/contracts';
import { CHINA_ZONE } from '#libs/common';

export interface ExampleRow {
  caseId: string;
  unitCode: string;
  unitName: string;
  source: CaseSource;
  matter: string;
  measures: string;
  outcome: CaseOutcome | null;
  openedAt: Date;
  closedAt: Date;
}

/** Most examples shown for one quarter. */
export const EXAMPLES_PER_QUARTER = 100;

@Injectable()
export class PublicRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The latest choice of a case wins; an older, redelivered or reordered one changes nothing. */
  async saveExample(manager: EntityManager, d: CasePublicationData): Promise<void> {
    await manager.query(
      `INSERT INTO public_case_examples (case_id, unit_code, unit_name, source, publishable, matter, measures, outcome, opened_at, closed_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (case_id) DO UPDATE SET unit_name = EXCLUDED.unit_name, publishable = EXCLUDED.publishable, matter = EXCLUDED.matter,
         measures = EXCLUDED.measures, outcome = EXCLUDED.outcome, closed_at = EXCLUDED.closed_at, version = EXCLUDED.version
       WHERE public_case_examples.version < EXCLUDED.version`,
      [d.caseId, d.unitCode, d.unitName, d.source, d.publishable, d.matter, d.measures, d.outcome, d.openedAt, d.closedAt, d.version],
    );
  }

  /**
   * Published examples of the quarter: closed cases opened within the Shanghai dates `from`..`to`
   * (inclusive), i.e. the quarter's own bad reviews, complaints and reports, latest closed first.
   */
  async examples(from: string, to: string): Promise<ExampleRow[]> {
    return this.dataSource.query<ExampleRow[]>(
      `SELECT case_id AS "caseId", unit_code AS "unitCode", unit_name AS "unitName", source, matter, measures, outcome,
              opened_at AS "openedAt", closed_at AS "closedAt"
         FROM public_case_examples
        WHERE publishable AND matter IS NOT NULL AND measures IS NOT NULL AND closed_at IS NOT NULL
          AND opened_at >= ($1::date::timestamp AT TIME ZONE $3) AND opened_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
        ORDER BY closed_at DESC, case_id
        LIMIT $4`,
      [from, to, CHINA_ZONE, EXAMPLES_PER_QUARTER],
    );
  }
}
