import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource } from 'typeorm';
import { assertUnitAccess, type DevicePrincipal, scopedUnit, type UserPrincipal } from '#libs/auth';
import {
  DataCipher,
  DomainError,
  ErrorCode,
  type FieldError,
  flattenValidationErrors,
  quarterLabel,
  quarterOf,
  unstorableTextErrors,
} from '#libs/common';
import type { Grade } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { AuditService } from '../accounts/audit.service.js';
import type { UnitEntity } from '../registry/registry.entities.js';
import { RegistryService } from '../registry/registry.service.js';
import { CreateRatingDto, ImportedRatingDto } from './dto/create-rating.dto.js';
import { fastImportedRating, fastRating } from './dto/fast-rating-validation.js';
import type { RatedAtKind } from './rated-at.js';
import { MAX_BATCH_ITEMS } from './dto/rating-batch.dto.js';
import type { ListRatingsQueryDto } from './dto/rating-queries.dto.js';
import { ratingFields } from './rating-row.js';
import { RatingWriter } from './rating-writer.js';
import { type PreparedRating, suspectChangedEvent } from './ratings.repository.js';

export interface RatingReceipt {
  id: string;
  grade: Grade;
  unitCode: string;
  quarter: string;
  duplicate: boolean;
}

export interface BatchItemResult {
  index: number;
  status: 'created' | 'duplicate' | 'rejected';
  id?: string;
  errors?: FieldError[];
}

/** A stored rating as supervisors and unit operators see it: contact masked, suspect flag and reason visible. */
export interface RatingView {
  id: string;
  unitCode: string;
  channel: string;
  serviceRecordId: string | null;
  serviceItemCode: string | null;
  serviceItemName: string | null;
  staffId: string | null;
  windowNo: string | null;
  deviceId: string | null;
  level: number | null;
  grade: Grade;
  tags: string[];
  comment: string | null;
  reviewer: { name: string | null; phone: string | null };
  ratedAt: string;
  receivedAt: string;
  quarter: string;
  suspect: boolean;
  suspectReason: string | null;
  suspectClearedAt: string | null;
  suspectClearedBy: string | null;
  /** Where a supervisor's review of the 刷评 flag stands: OPEN (waiting), CONFIRMED (stays out), CLEARED (counts); null when never flagged. */
  suspectStatus: SuspectStatus | null;
  suspectConfirmedAt: string | null;
  suspectConfirmedBy: string | null;
  ticketId: string | null;
}

export type SuspectStatus = 'OPEN' | 'CONFIRMED' | 'CLEARED';

interface ReviewRow {
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
  suspect_confirmed_at: Date | null;
  suspect_confirmed_by: string | null;
  ticket_id: string | null;
}

const VIEW_COLUMNS = `id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id, window_no, device_id,
  level, grade, tags, comment, contact_masked_name, contact_masked_phone, rated_at, received_at, suspect, suspect_reason,
  suspect_cleared_at, suspect_cleared_by, suspect_confirmed_at, suspect_confirmed_by, ticket_id`;

/** The SQL condition of each suspect status (the list filter). */
const SUSPECT_STATUS_SQL: Record<SuspectStatus, string> = {
  OPEN: 'suspect AND suspect_confirmed_at IS NULL',
  CONFIRMED: 'suspect AND suspect_confirmed_at IS NOT NULL',
  CLEARED: 'NOT suspect AND suspect_cleared_at IS NOT NULL',
};

const HOUR_MS = 3_600_000;
const quarterByHour = new Map<number, string>();

/**
 * quarterLabel(quarterOf(t)), memoised per UTC hour (luxon's zone conversion was ~2 % of a
 * rating's CPU). An hour is cached only when its first and last millisecond fall in the
 * same quarter, so the answer is exact whatever the zone's offsets.
 */
export function quarterLabelOf(instant: Date): string {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  const cached = quarterByHour.get(hour);
  if (cached) return cached;
  const label = quarterLabel(quarterOf(instant));
  if (
    label === quarterLabel(quarterOf(new Date(hour * HOUR_MS))) &&
    label === quarterLabel(quarterOf(new Date((hour + 1) * HOUR_MS - 1)))
  ) {
    if (quarterByHour.size >= 10_000) quarterByHour.clear();
    quarterByHour.set(hour, label);
  }
  return label;
}

/**
 * Validates one batch item exactly as the single endpoint's pipe would (whitelist, unknown fields
 * rejected); `kind` 'import' judges ratedAt by the import's bounds (ImportedRatingDto).
 */
export function validateRatingItem(plain: unknown): { dto: CreateRatingDto; errors: [] } | { dto: null; errors: FieldError[] };
export function validateRatingItem(
  plain: unknown,
  kind: 'import',
): { dto: ImportedRatingDto; errors: [] } | { dto: null; errors: FieldError[] };
export function validateRatingItem(
  plain: unknown,
  kind: RatedAtKind = 'device',
): { dto: CreateRatingDto | ImportedRatingDto; errors: [] } | { dto: null; errors: FieldError[] } {
  // The edge's text guard, for this item alone (the batch and import routes leave their items to this check).
  const unstorable = unstorableTextErrors(plain);
  if (unstorable.length) return { dto: null, errors: unstorable };
  const fast = kind === 'device' ? fastRating(plain) : fastImportedRating(plain);
  if (fast) return { dto: fast, errors: [] };
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain))
    return { dto: null, errors: [{ field: '', message: 'must be an object' }] };
  const dto = plainToInstance(kind === 'device' ? CreateRatingDto : ImportedRatingDto, plain);
  const errors = flattenValidationErrors(
    validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }),
  );
  return errors.length ? { dto: null, errors } : { dto, errors: [] };
}

/**
 * SQLSTATE classes of errors caused by a row's own values, not by the database's state:
 * 22 data exception (out of range, invalid text), 23 integrity constraint violation,
 * 54 program limit exceeded (a value too large to index).
 */
export function isItemLevelDbError(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

@Injectable()
export class RatingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly registry: RegistryService,
    private readonly cipher: DataCipher,
    private readonly writer: RatingWriter,
    private readonly audit: AuditService,
  ) {}

  /** Stores one rating (一次一评: one per service record and unit), durably with its event, before answering. */
  async submit(device: DevicePrincipal, dto: CreateRatingDto, receivedAt = new Date()): Promise<RatingReceipt> {
    const row = await this.prepare(device, dto, receivedAt);
    const outcome = await this.writer.write(row);
    if (outcome.kind === 'conflict') {
      throw new DomainError(
        ErrorCode.AlreadyRated,
        `Service record ${dto.serviceRecordId} has already been rated with different content.`,
        [{ field: 'serviceRecordId', message: 'has already been rated with a different body' }],
      );
    }
    return {
      id: outcome.id,
      grade: row.grade,
      unitCode: row.unitCode,
      quarter: quarterLabelOf(row.ratedAt),
      duplicate: outcome.kind === 'duplicate',
    };
  }

  /** Offline upload: every item judged on its own; valid ones are stored even when others are rejected. */
  async submitBatch(device: DevicePrincipal, items: unknown[], receivedAt = new Date()): Promise<{ results: BatchItemResult[] }> {
    if (items.length > MAX_BATCH_ITEMS) {
      throw new DomainError(ErrorCode.PayloadTooLarge, `A batch holds at most ${MAX_BATCH_ITEMS} ratings; split it.`);
    }
    const results = new Array<BatchItemResult>(items.length);
    const valid: Array<{ index: number; row: PreparedRating }> = [];
    let unit: UnitEntity | undefined; // looked up once, at the first valid item (as before: not at all when none is valid)
    for (const [index, item] of items.entries()) {
      const checked = validateRatingItem(item);
      if (checked.dto) {
        unit ??= await this.registry.requireUnit(device.unitCode);
        valid.push({ index, row: this.prepareFor(unit, device, checked.dto, receivedAt) });
      } else results[index] = { index, status: 'rejected', errors: checked.errors };
    }
    const settled = await Promise.allSettled(this.writer.writeAll(valid.map((v) => v.row)));
    // What only the database can refuse about one item (a value it cannot store) rejects that item alone;
    // anything else (the database unreachable) is the whole request's failure.
    const failure = settled.find((s) => s.status === 'rejected' && !isItemLevelDbError(s.reason));
    if (failure?.status === 'rejected') throw failure.reason;
    valid.forEach(({ index }, i) => {
      const s = settled[i]!;
      if (s.status === 'rejected') {
        results[index] = { index, status: 'rejected', errors: [{ field: '', message: 'could not be stored: a value is out of range' }] };
        return;
      }
      const o = s.value;
      results[index] =
        o.kind === 'conflict'
          ? {
              index,
              status: 'rejected',
              errors: [{ field: 'serviceRecordId', message: 'ALREADY_RATED: has already been rated with a different body' }],
            }
          : { index, status: o.kind === 'created' ? 'created' : 'duplicate', id: o.id };
    });
    return { results };
  }

  async get(user: UserPrincipal, id: string): Promise<RatingView> {
    const [row] = (await this.dataSource.query(`SELECT ${VIEW_COLUMNS} FROM reviews WHERE id = $1`, [id])) as ReviewRow[];
    if (!row) throw DomainError.notFound(`Rating ${id}`);
    assertUnitAccess(user, row.unit_code);
    return toView(row);
  }

  async list(user: UserPrincipal, query: ListRatingsQueryDto) {
    const unitCode = scopedUnit(user, query.unitCode);
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    if (unitCode) where.push(`unit_code = $${params.push(unitCode)}`);
    if (query.suspect) where.push(`suspect = $${params.push(query.suspect === 'true')}`);
    if (query.suspectStatus) where.push(SUSPECT_STATUS_SQL[query.suspectStatus]);
    if (query.deviceId) where.push(`device_id = $${params.push(query.deviceId)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM reviews ${clause}`, params)) as Array<{
      total: number;
    }>;
    const rows = (await this.dataSource.query(
      `SELECT ${VIEW_COLUMNS} FROM reviews ${clause} ORDER BY rated_at DESC, id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    )) as ReviewRow[];
    return { items: rows.map(toView), page, pageSize, total };
  }

  /** A supervisor puts a suspect rating back into the rates; emits gov.review.suspect-changed; audited. */
  async clearSuspect(user: UserPrincipal, id: string): Promise<RatingView> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT ${VIEW_COLUMNS} FROM reviews WHERE id = $1 FOR UPDATE`, [id])) as ReviewRow[];
      if (!row) throw DomainError.notFound(`Rating ${id}`);
      if (!row.suspect) {
        if (row.suspect_cleared_at) return toView(row); // already cleared: idempotent
        throw new DomainError(ErrorCode.InvalidTransition, 'This rating is not flagged as suspect.');
      }
      if (row.suspect_confirmed_at) {
        throw new DomainError(ErrorCode.InvalidTransition, 'This rating has been confirmed as 刷评: it stays out of the rates.');
      }
      const [[updated]] = (await manager.query(
        `UPDATE reviews SET suspect = false, suspect_cleared_at = now(), suspect_cleared_by = $2 WHERE id = $1 RETURNING ${VIEW_COLUMNS}`,
        [id, user.sub],
      )) as [ReviewRow[], number];
      await this.outbox.add(manager, suspectChangedEvent({ reviewId: id, unitCode: row.unit_code, suspect: false, reason: null }));
      await this.audit.recordBy(user, 'SUSPECT_CLEARED', suspectAuditDetail(row), manager);
      return toView(updated!);
    });
  }

  /**
   * A supervisor confirms a suspect rating as 刷评: it stays flagged, so out of every rate, and leaves the open
   * suspects; audited. The event re-states the flag (suspect: true) so that every consumer holds the rating out,
   * whatever it has seen before; one that already does changes nothing.
   */
  async confirmSuspect(user: UserPrincipal, id: string): Promise<RatingView> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT ${VIEW_COLUMNS} FROM reviews WHERE id = $1 FOR UPDATE`, [id])) as ReviewRow[];
      if (!row) throw DomainError.notFound(`Rating ${id}`);
      if (!row.suspect) {
        throw new DomainError(
          ErrorCode.InvalidTransition,
          row.suspect_cleared_at ? 'This rating has been cleared: it counts in the rates.' : 'This rating is not flagged as suspect.',
        );
      }
      if (row.suspect_confirmed_at) return toView(row); // already confirmed: idempotent
      const [[updated]] = (await manager.query(
        `UPDATE reviews SET suspect_confirmed_at = now(), suspect_confirmed_by = $2 WHERE id = $1 RETURNING ${VIEW_COLUMNS}`,
        [id, user.sub],
      )) as [ReviewRow[], number];
      await this.outbox.add(
        manager,
        suspectChangedEvent({ reviewId: id, unitCode: row.unit_code, suspect: true, reason: row.suspect_reason }),
      );
      await this.audit.recordBy(user, 'SUSPECT_CONFIRMED', suspectAuditDetail(row), manager);
      return toView(updated!);
    });
  }

  private async prepare(device: DevicePrincipal, dto: CreateRatingDto, receivedAt: Date): Promise<PreparedRating> {
    return this.prepareFor(await this.registry.requireUnit(device.unitCode), device, dto, receivedAt, true);
  }

  /** `live`: a single rating as it happens (its arrival counts for 刷评), not an item of an offline batch. */
  private prepareFor(unit: UnitEntity, device: DevicePrincipal, dto: CreateRatingDto, receivedAt: Date, live = false): PreparedRating {
    return {
      ...ratingFields(this.cipher, dto, receivedAt),
      unitCode: unit.code,
      unitName: unit.name,
      deviceId: device.deviceId,
      windowNo: device.windowNo,
      live,
    };
  }
}

function toView(r: ReviewRow): RatingView {
  return {
    id: r.id,
    unitCode: r.unit_code,
    channel: r.channel,
    serviceRecordId: r.service_record_id,
    serviceItemCode: r.service_item_code,
    serviceItemName: r.service_item_name,
    staffId: r.staff_id,
    windowNo: r.window_no,
    deviceId: r.device_id,
    level: r.level,
    grade: r.grade,
    tags: r.tags,
    comment: r.comment,
    reviewer: { name: r.contact_masked_name, phone: r.contact_masked_phone },
    ratedAt: r.rated_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    quarter: quarterLabel(quarterOf(r.rated_at)),
    suspect: r.suspect,
    suspectReason: r.suspect_reason,
    suspectClearedAt: r.suspect_cleared_at?.toISOString() ?? null,
    suspectClearedBy: r.suspect_cleared_by,
    suspectStatus: suspectStatusOf(r),
    suspectConfirmedAt: r.suspect_confirmed_at?.toISOString() ?? null,
    suspectConfirmedBy: r.suspect_confirmed_by,
    ticketId: r.ticket_id,
  };
}

function suspectStatusOf(r: ReviewRow): SuspectStatus | null {
  if (r.suspect) return r.suspect_confirmed_at ? 'CONFIRMED' : 'OPEN';
  return r.suspect_cleared_at ? 'CLEARED' : null;
}

/** What the audit log keeps of a suspect decision: the rating, its unit, device and flag (no reviewer data). */
function suspectAuditDetail(r: ReviewRow): Record<string, unknown> {
  return { reviewId: r.id, unitCode: r.unit_code, deviceId: r.device_id, reason: r.suspect_reason, ratedAt: r.rated_at.toISOString() };
}
