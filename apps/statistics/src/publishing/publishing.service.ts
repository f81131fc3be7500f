import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scopedUnit, type UserPrincipal } from '#libs/auth';
import { DomainError, ErrorCode } from '#libs/common';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { periodOfQuarter, type PublishedInfo, type QuarterlyReport } from '../reports/domain/report.js';
import type { BulletinExtras } from '../reports/render/bulletin.js';
import { ReportsService } from '../reports/reports.service.js';
import { changeSincePublished, DISTRICT_SCOPE, publishedJson, quarterEnded } from './publishing-rules.js';

/** A published quarter's frozen report for one scope, as stored. */
export interface PublishedSnapshot {
  /** The report JSON exactly as frozen (it carries `published: { at, by, byName }`; byName only since names are kept). */
  text: string;
  report: QuarterlyReport & { published: PublishedInfo };
  bulletinExtras: BulletinExtras;
}

export interface PublishedQuarterView {
  year: number;
  quarter: number;
  publishedAt: string;
  publishedBy: string;
  /** The publisher's display name at publication; null when none was kept (quarters published before, or a token without a name). */
  publishedByName: string | null;
}

/** What GET /reports/quarterly answers: the frozen figures of a published quarter, or the live ones. */
export type QuarterlyAnswer =
  { kind: 'published'; snapshot: PublishedSnapshot; json: string; report: QuarterlyReport } | { kind: 'live'; report: QuarterlyReport };

/**
 * Quarter publishing (每季度通报): freezes a quarter's report as it stands — for the whole district and
 * for every unit — in one REPEATABLE READ transaction (one consistent view of the rollups), into
 * append-only tables. From then on the quarter is answered from the snapshot; `live` figures stay available.
 */
@Injectable()
export class PublishingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reports: ReportsService,
    private readonly outbox: OutboxService,
  ) {}

  async publish(year: number, quarter: number, user: UserPrincipal, now = new Date()): Promise<string> {
    const period = periodOfQuarter(year, quarter);
    if (!quarterEnded(period, now)) {
      throw new DomainError(
        ErrorCode.QuarterNotEnded,
        `${year}-Q${quarter} has not ended yet (Asia/Shanghai): only an ended quarter can be published.`,
      );
    }
    const published: PublishedInfo = { at: now.toISOString(), by: user.sub, byName: user.name ?? null };
    await this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const inserted = await m.query<Array<{ year: number }>>(
        `INSERT INTO published_quarters (year, quarter, published_at, published_by, published_by_name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING year`,
        [year, quarter, now, user.sub, published.byName],
      );
      if (inserted.length === 0) throw new DomainError(ErrorCode.AlreadyPublished, `${year}-Q${quarter} has already been published.`);
      const units = await m.query<Array<{ unitCode: string }>>(`SELECT unit_code AS "unitCode" FROM units ORDER BY unit_code`);
      for (const scope of [DISTRICT_SCOPE, ...units.map((u) => u.unitCode)]) {
        const unitCode = scope === DISTRICT_SCOPE ? undefined : scope;
        const { report, extras } = await this.reports.bulletin(year, quarter, unitCode, m, now);
        await m.query(`INSERT INTO published_reports (year, quarter, scope, report, bulletin_extras) VALUES ($1, $2, $3, $4, $5)`, [
          year,
          quarter,
          scope,
          JSON.stringify({ ...report, published }),
          JSON.stringify(extras),
        ]);
      }
      await this.outbox.add(
        m,
        auditOutboxEntry({
          service: 'Statistics',
          actor: user,
          action: 'QUARTER_PUBLISHED',
          summary: `发布 ${year} 年第 ${quarter} 季度好差评报告（全区及 ${units.length} 个单位）`,
          detail: { year, quarter, units: units.length },
          at: now,
        }),
      );
    });
    const answer = await this.quarterly(user, year, quarter, undefined, false);
    if (answer.kind !== 'published') throw new Error('a published quarter has no snapshot');
    return answer.json;
  }

  /** The frozen report of a published quarter (the whole district, or one unit), or null when the quarter is not published. */
  async snapshot(year: number, quarter: number, unitCode?: string): Promise<PublishedSnapshot | null> {
    const [row] = await this.dataSource.query<Array<{ report: string; extras: string }>>(
      `SELECT report, bulletin_extras AS extras FROM published_reports WHERE year = $1 AND quarter = $2 AND scope = $3`,
      [year, quarter, unitCode ?? DISTRICT_SCOPE],
    );
    if (!row) return null;
    return {
      text: row.report,
      report: JSON.parse(row.report) as PublishedSnapshot['report'],
      bulletinExtras: JSON.parse(row.extras) as BulletinExtras,
    };
  }

  /**
   * The quarter's report: the frozen one with `changedSincePublished` when it is published (and
   * the scope was part of it), else — or with `live` — the live figures. A unit operator sees only
   * their own unit's (another `unitCode` → 403 FORBIDDEN_UNIT).
   */
  async quarterly(
    user: UserPrincipal,
    year: number,
    quarter: number,
    requestedUnit: string | undefined,
    live: boolean,
  ): Promise<QuarterlyAnswer> {
    const unitCode = scopedUnit(user, requestedUnit);
    return this.answer(live ? null : await this.snapshot(year, quarter, unitCode), year, quarter, unitCode);
  }

  /** The live report, or the snapshot with what has changed since it was published. */
  private async answer(
    snapshot: PublishedSnapshot | null,
    year: number,
    quarter: number,
    unitCode: string | undefined,
  ): Promise<QuarterlyAnswer> {
    const current = await this.reports.quarterly(year, quarter, unitCode);
    if (!snapshot) return { kind: 'live', report: current };
    const change = changeSincePublished(snapshot.report, current);
    return {
      kind: 'published',
      snapshot,
      json: publishedJson(snapshot.text, change),
      report: { ...snapshot.report, changedSincePublished: change },
    };
  }

  /** The bulletin's report and figures (a unit operator: their own unit's only). */
  async bulletin(
    user: UserPrincipal,
    year: number,
    quarter: number,
    requestedUnit: string | undefined,
    live: boolean,
  ): Promise<{ report: QuarterlyReport; extras: BulletinExtras }> {
    return this.bulletinOf(year, quarter, scopedUnit(user, requestedUnit), live);
  }

  /** A bulletin's report and figures, for a reader already entitled to it: the frozen ones once published (unless live). */
  async bulletinOf(
    year: number,
    quarter: number,
    unitCode: string | undefined,
    live: boolean,
  ): Promise<{ report: QuarterlyReport; extras: BulletinExtras }> {
    const snapshot = live ? null : await this.snapshot(year, quarter, unitCode);
    if (!snapshot) return this.reports.bulletin(year, quarter, unitCode);
    return { report: (await this.answer(snapshot, year, quarter, unitCode)).report, extras: snapshot.bulletinExtras };
  }

  async list(): Promise<{ items: PublishedQuarterView[] }> {
    const rows = await this.dataSource.query<Array<{ year: number; quarter: number; at: Date; by: string; byName: string | null }>>(
      `SELECT year, quarter, published_at AS at, published_by AS by, published_by_name AS "byName"
       FROM published_quarters ORDER BY year DESC, quarter DESC`,
    );
    return {
      items: rows.map((r) => ({
        year: r.year,
        quarter: r.quarter,
        publishedAt: r.at.toISOString(),
        publishedBy: r.by,
        publishedByName: r.byName,
      })),
    };
  }
}
