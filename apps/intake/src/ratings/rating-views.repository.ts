import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Grade } from '#libs/contracts';

/** A stored rating as its views read it (contact masked). */
export interface ReviewRow {
  id: string;
  unit_code: string;
  channel: string;
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
  rated_at: Date;
  received_at: Date;
  suspect: boolean;
  suspect_reason: string | null;
  suspect_cleared_at: Date | null;
  suspect_cleared_by: string | null;
  ticket_id: string | null;
}

export interface RatingFilter {
  unitCode?: string;
  suspect?: boolean;
  deviceId?: string;
}

const VIEW_COLUMNS = `id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id, window_no, device_id,
  level, grade, tags, comment, contact_masked_name, contact_masked_phone, rated_at, received_at, suspect, suspect_reason,
  suspect_cleared_at, suspect_cleared_by, ticket_id`;

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
}
