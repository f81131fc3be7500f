import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { shanghaiDate } from '#libs/common';
import type {
  CaseLifecycleData,
  ReviewSubmittedData,
  ReviewSuspectChangedData,
  UnitRegisteredData,
  UnresolvedReportedData,
} from '#libs/contracts';
import {
  difference,
  emptyReviewFact,
  reviewContribution,
  ROLLUP_TABLES,
  type ReviewFact,
  type RollupDelta,
  type UnresolvedFact,
  unresolvedContribution,
} from './contribution.js';

const REVIEW_FACT_COLUMNS = `submitted, unit_code AS "unitCode", day::text AS day, channel, level, grade, tags,
  service_item_code AS "serviceItemCode", suspect, case_version AS "caseVersion", case_status AS "caseStatus",
  case_outcome AS "caseOutcome", response_due_day::text AS "responseDueDay", responded, responded_on_time AS "respondedOnTime", overdue,
  category, deadline_provisional AS "deadlineProvisional"`;

/**
 * Keeps the rollups in step with the events. Each change locks the fact row, computes the
 * fact's contribution before and after, and adds the difference to the rollup rows with
 * `INSERT … ON CONFLICT DO UPDATE SET x = x + delta` — never a read-modify-write of a rollup.
 */
@Injectable()
export class RollupsService {
  async applyReviewSubmitted(manager: EntityManager, review: ReviewSubmittedData): Promise<void> {
    await this.upsertNames(manager, review.unitCode, review.unitName, review.serviceItemCode, review.serviceItemName);
    await this.changeReview(manager, review.reviewId, (fact) =>
      fact.submitted
        ? null
        : {
            ...fact,
            submitted: true,
            unitCode: review.unitCode,
            day: shanghaiDate(review.ratedAt),
            channel: review.channel,
            level: review.level ?? 0,
            grade: review.grade,
            tags: review.tags ?? [],
            serviceItemCode: review.serviceItemCode,
            suspect: review.suspect,
            category: review.channel === 'HOTLINE_12345' ? review.category : null,
          },
    );
  }

  /** A registered unit is listed in every report, also before (or without) any review of it. */
  async applyUnitRegistered(manager: EntityManager, unit: UnitRegisteredData): Promise<void> {
    await this.upsertNames(manager, unit.unitCode, unit.unitName, null, null);
  }

  async applySuspectChanged(manager: EntityManager, change: ReviewSuspectChangedData): Promise<void> {
    await this.changeReview(manager, change.reviewId, (fact) =>
      fact.suspect === change.suspect ? null : { ...fact, suspect: change.suspect },
    );
  }

  async applyCase(manager: EntityManager, data: CaseLifecycleData): Promise<void> {
    if (data.source === 'UNRESOLVED') {
      if (!data.reportId) return;
      await this.changeUnresolved(manager, data.reportId, (fact) =>
        data.version <= fact.caseVersion ? null : { ...fact, caseVersion: data.version, caseStatus: data.status },
      );
      return;
    }
    if (!data.reviewId) return;
    await this.changeReview(manager, data.reviewId, (fact) =>
      data.version <= fact.caseVersion
        ? null
        : {
            ...fact,
            caseVersion: data.version,
            caseStatus: data.status,
            caseOutcome: data.outcome,
            responseDueDay: data.responseDueAt ? shanghaiDate(data.responseDueAt) : null,
            responded: data.respondedAt !== null,
            respondedOnTime: data.respondedOnTime === true,
            overdue: data.overdue,
            deadlineProvisional: data.deadlineProvisional === true,
          },
    );
  }

  async applyUnresolvedReported(manager: EntityManager, report: UnresolvedReportedData): Promise<void> {
    await this.upsertNames(manager, report.unitCode, report.unitName, null, null);
    await this.changeUnresolved(manager, report.reportId, (fact) =>
      fact.submitted ? null : { ...fact, submitted: true, unitCode: report.unitCode, day: shanghaiDate(report.reportedAt) },
    );
  }

  private async changeReview(manager: EntityManager, reviewId: string, change: (fact: ReviewFact) => ReviewFact | null): Promise<void> {
    await manager.query(`INSERT INTO review_facts (review_id) VALUES ($1) ON CONFLICT DO NOTHING`, [reviewId]);
    const [row] = await manager.query<ReviewFact[]>(`SELECT ${REVIEW_FACT_COLUMNS} FROM review_facts WHERE review_id = $1 FOR UPDATE`, [
      reviewId,
    ]);
    const before: ReviewFact = { ...emptyReviewFact(), ...row };
    const after = change(before);
    if (!after) return;
    await manager.query(
      `UPDATE review_facts SET submitted = $2, unit_code = $3, day = $4, channel = $5, level = $6, grade = $7, tags = $8,
         service_item_code = $9, suspect = $10, case_version = $11, case_status = $12, case_outcome = $13, response_due_day = $14,
         responded = $15, responded_on_time = $16, overdue = $17, category = $18, deadline_provisional = $19
       WHERE review_id = $1`,
      [
        reviewId,
        after.submitted,
        after.unitCode,
        after.day,
        after.channel,
        after.level,
        after.grade,
        after.tags,
        after.serviceItemCode,
        after.suspect,
        after.caseVersion,
        after.caseStatus,
        after.caseOutcome,
        after.responseDueDay,
        after.responded,
        after.respondedOnTime,
        after.overdue,
        after.category,
        after.deadlineProvisional,
      ],
    );
    await this.applyDeltas(manager, difference(reviewContribution(before), reviewContribution(after)));
  }

  private async changeUnresolved(
    manager: EntityManager,
    reportId: string,
    change: (fact: UnresolvedFact) => UnresolvedFact | null,
  ): Promise<void> {
    await manager.query(`INSERT INTO unresolved_facts (report_id) VALUES ($1) ON CONFLICT DO NOTHING`, [reportId]);
    const [before] = await manager.query<UnresolvedFact[]>(
      `SELECT submitted, unit_code AS "unitCode", day::text AS day, case_version AS "caseVersion", case_status AS "caseStatus"
       FROM unresolved_facts WHERE report_id = $1 FOR UPDATE`,
      [reportId],
    );
    const after = change(before!);
    if (!after) return;
    await manager.query(
      `UPDATE unresolved_facts SET submitted = $2, unit_code = $3, day = $4, case_version = $5, case_status = $6 WHERE report_id = $1`,
      [reportId, after.submitted, after.unitCode, after.day, after.caseVersion, after.caseStatus],
    );
    await this.applyDeltas(manager, difference(unresolvedContribution(before!), unresolvedContribution(after)));
  }

  private async applyDeltas(manager: EntityManager, deltas: RollupDelta[]): Promise<void> {
    for (const delta of deltas) {
      const { keys, counters } = ROLLUP_TABLES[delta.table];
      const columns = [...keys, ...counters];
      const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
      const updates = counters.map((c) => `${c} = ${delta.table}.${c} + EXCLUDED.${c}`).join(', ');
      await manager.query(
        `INSERT INTO ${delta.table} (${columns.join(', ')}) VALUES (${placeholders})
         ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates}`,
        [...delta.key, ...delta.counters],
      );
    }
  }

  private async upsertNames(manager: EntityManager, unitCode: string, unitName: string, itemCode: string | null, itemName: string | null) {
    await manager.query(
      `INSERT INTO units (unit_code, unit_name) VALUES ($1, $2) ON CONFLICT (unit_code) DO UPDATE SET unit_name = EXCLUDED.unit_name`,
      [unitCode, unitName],
    );
    if (itemCode && itemName) {
      await manager.query(
        `INSERT INTO service_items (service_item_code, service_item_name) VALUES ($1, $2)
         ON CONFLICT (service_item_code) DO UPDATE SET service_item_name = EXCLUDED.service_item_name`,
        [itemCode, itemName],
      );
    }
  }
}
