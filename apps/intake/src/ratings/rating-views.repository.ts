import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Grade } from '#libs/contracts';

/** A stored rating as its views read it (contact masked). */
export interface ReviewRow {
  id: string;
  unit_code: string;
  channel: string;
  stage: string;
  service_record_id: string | null;
  service_item_code: string | null;
  service_item_name: string | null;
  staff_id: string | null;
  window_no: string | null;
  device_id: string | null;
  level: number | null;
  grade: Grade;
  tags: string[];
  comment: string | null;
  contact_masked_name: string | null;
  contact_masked_phone: string | null;
  /** When the retention sweep erased the contact; null (or absent from older rows' readers) while kept. */
  contact_erased_at?: Date | null;
  rated_at: Date;
  received_at: Date;
  suspect: boolean;
  suspect_reason: string | null;
  suspect_cleared_at: Date | null;
  suspect_cleared_by: string | null;
  suspect_confirmed_at: Date | null;
  suspect_confirmed_by: string | null;
  ticket_id: string | null;
}

/** Where a supervisor's review of a 刷评 flag stands: OPEN (waiting), CONFIRMED (stays out), CLEARED (counts). */
export type SuspectStatus = 'OPEN' | 'CONFIRMED' | 'CLEARED';

export interface RatingFilter {
  unitCode?: string;
  suspect?: boolean;
  suspectStatus?: SuspectStatus;
  deviceId?: string;
}

const VIEW_COLUMNS = `id, unit_code, channel, stage, service_record_id, service_item_code, service_item_name, staff_id, window_no, device_id,
  level, grade, tags, comment, contact_masked_name, contact_masked_phone, contact_erased_at, rated_at, received_at, suspect, suspect_reason,
  suspect_cleared_at, suspect_cleared_by, suspect_confirmed_at, suspect_confirmed_by, ticket_id`;

/** The SQL condition of each suspect status (the list filter). */
const SUSPECT_STATUS_SQL: Record<SuspectStatus, string> = {
  OPEN: 'suspect AND suspect_confirmed_at IS NULL',
  CONFIRMED: 'suspect AND suspect_confirmed_at IS NOT NULL',
  CLEARED: 'NOT suspect AND suspect_cleared_at IS NOT NULL',
};

/** A rating's suspect status, from its row (null when it was never flagged). */
export function suspectStatusOf(r: Pick<ReviewRow, 'suspect' | 'suspect_confirmed_at' | 'suspect_cleared_at'>): SuspectStatus | null {
  if (r.suspect) return r.suspect_confirmed_at ? 'CONFIRMED' : 'OPEN';
  return r.suspect_cleared_at ? 'CLEARED' : null;
}

/** Reads stored ratings for supervisors and unit operators, and clears suspect flags (the write path is RatingsRepository). */
@Injectable()
export class RatingViewsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string): Promise<ReviewRow | undefined> {
    const [row] = await this.dataSource.query<ReviewRow[]>(`SELECT ${VIEW_COLUMNS} FROM reviews WHERE id = $1`, [id]);
    return row;
  }

  /** One page, newest ratedAt first, and the number of ratings the filter matches. */
  async page(filter: RatingFilter, page: number, pageSize: number): Promise<{ rows: ReviewRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.unitCode) where.push(`unit_code = $${params.push(filter.unitCode)}`);
    if (filter.suspect !== undefined) where.push(`suspect = $${params.push(filter.suspect)}`);
    if (filter.suspectStatus) where.push(SUSPECT_STATUS_SQL[filter.suspectStatus]);
    if (filter.deviceId) where.push(`device_id = $${params.push(filter.deviceId)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM reviews ${clause}`,
      params,
    );
    const rows = await this.dataSource.query<ReviewRow[]>(
      `SELECT ${VIEW_COLUMNS} FROM reviews ${clause} ORDER BY rated_at DESC, id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { rows, total };
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async lockForUpdate(manager: EntityManager, id: string): Promise<ReviewRow | undefined> {
    const [row] = await manager.query<ReviewRow[]>(`SELECT ${VIEW_COLUMNS} FROM reviews WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  /** Puts the rating back into the rates, recording who cleared it and when. */
  async clearSuspect(manager: EntityManager, id: string, clearedBy: string): Promise<ReviewRow> {
    const [[updated]] = (await manager.query(
      `UPDATE reviews SET suspect = false, suspect_cleared_at = now(), suspect_cleared_by = $2 WHERE id = $1 RETURNING ${VIEW_COLUMNS}`,
      [id, clearedBy],
    )) as [ReviewRow[], number];
    return updated!;
  }

  /** Confirms the flag as 刷评: the rating stays out of the rates, recording who confirmed it and when. */
  async confirmSuspect(manager: EntityManager, id: string, confirmedBy: string): Promise<ReviewRow> {
    const [[updated]] = (await manager.query(
      `UPDATE reviews SET suspect_confirmed_at = now(), suspect_confirmed_by = $2 WHERE id = $1 RETURNING ${VIEW_COLUMNS}`,
      [id, confirmedBy],
    )) as [ReviewRow[], number];
    return updated!;
  }
}
