import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { assertUnitAccess, type DevicePrincipal, type PlatformClientPrincipal, scopedUnit, type UserPrincipal } from '#libs/auth';
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
import type { PreparedDecision } from '#libs/database';
import { OutboxService } from '#libs/messaging';
import { AuditService } from '../accounts/audit.service.js';
import { limitRefusal } from '../rate-limit/rate-limit.guard.js';
import type { UnitEntity } from '../registry/registry.entities.js';
import { DevicesService } from '../registry/devices.service.js';
import { assertUnitEnabled, UnitsService } from '../registry/units.service.js';
import { CreateRatingDto, ImportedRatingDto, OnlineRatingDto } from './dto/create-rating.dto.js';
import { fastImportedRating, fastRating } from './dto/fast-rating-validation.js';
import type { RatedAtKind } from './rated-at.js';
import { MAX_BATCH_ITEMS } from './dto/rating-batch.dto.js';
import type { ListRatingsQueryDto } from './dto/rating-queries.dto.js';
import { platformBurstKey, ratingFields } from './rating-row.js';
import { RatingWriter } from './rating-writer.js';
import { type PreparedRating, suspectChangedEvent } from './ratings.repository.js';
import { RatingViewsRepository, type ReviewRow } from './rating-views.repository.js';
import {
  type BatchItemResultDto,
  type RatingPageDto,
  RatingResponseDto,
  type RatingReceiptDto,
  RejectedUploadDto,
  type RejectedUploadsDto,
} from './dto/rating.response.js';
import { REJECTED_UPLOADS_KEPT_PER_DEVICE, RejectedUploadsRepository } from './rejected-uploads.repository.js';
import { rejectedItem } from './rejection-reasons.js';

export type RatingReceipt = RatingReceiptDto;
export type BatchItemResult = BatchItemResultDto;

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

/** Validates one online rating (a batch item, or the single route's body) as the ValidationPipe would. */
export function validateOnlineItem(plain: unknown): { dto: OnlineRatingDto; errors: [] } | { dto: null; errors: FieldError[] } {
  const unstorable = unstorableTextErrors(plain);
  if (unstorable.length) return { dto: null, errors: unstorable };
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain))
    return { dto: null, errors: [{ field: '', message: 'must be an object' }] };
  const dto = plainToInstance(OnlineRatingDto, plain);
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
    private readonly views: RatingViewsRepository,
    private readonly outbox: OutboxService,
    private readonly units: UnitsService,
    private readonly cipher: DataCipher,
    private readonly writer: RatingWriter,
    private readonly audit: AuditService,
    private readonly rejectedUploads: RejectedUploadsRepository,
    private readonly devices: DevicesService,
  ) {}

  /**
   * Stores one rating (一次一评: one per service record and unit), durably with its event, before answering.
   * `limits`: the device's decision, made in the same statement (refused: 429, nothing stored).
   */
  async submit(device: DevicePrincipal, dto: CreateRatingDto, limits?: PreparedDecision, receivedAt = new Date()): Promise<RatingReceipt> {
    const row = await this.prepare(device, dto, receivedAt);
    return this.receipt({ ...row, limits: limits ?? null }, dto);
  }

  /**
   * One rating pushed by the online platform (channel ONLINE): the same rules and answers as a PAD's, the unit
   * named in the body, 刷评 counted per (client, unit) as a PAD's per device.
   */
  async submitOnline(client: PlatformClientPrincipal, dto: OnlineRatingDto, receivedAt = new Date()): Promise<RatingReceipt> {
    const unit = await this.units.requireEnabledUnit(dto.unitCode, 'unitCode');
    return this.receipt(this.prepareOnline(unit, client, dto, receivedAt, true), dto);
  }

  /** The online platform's batch: as a PAD's offline upload, each item naming its unit (an unknown one rejects the item). */
  async submitOnlineBatch(
    client: PlatformClientPrincipal,
    items: unknown[],
    receivedAt = new Date(),
  ): Promise<{ results: BatchItemResult[] }> {
    if (items.length > MAX_BATCH_ITEMS) {
      throw new DomainError(ErrorCode.PayloadTooLarge, `A batch holds at most ${MAX_BATCH_ITEMS} ratings; split it.`);
    }
    const results = new Array<BatchItemResult>(items.length);
    const valid: Array<{ index: number; row: PreparedRating }> = [];
    const units = new Map<string, UnitEntity | null>();
    for (const [index, item] of items.entries()) {
      const checked = validateOnlineItem(item);
      if (!checked.dto) {
        results[index] = { index, status: 'rejected', errors: checked.errors };
        continue;
      }
      const code = checked.dto.unitCode;
      if (!units.has(code)) units.set(code, await this.units.findUnit(code));
      const unit = units.get(code);
      if (!unit) results[index] = { index, status: 'rejected', errors: [{ field: 'unitCode', message: 'is not a registered unit' }] };
      else if (unit.disabledAt)
        results[index] = { index, status: 'rejected', errors: [{ field: 'unitCode', message: 'UNIT_DISABLED: the unit is disabled' }] };
      else valid.push({ index, row: this.prepareOnline(unit, client, checked.dto, receivedAt, false) });
    }
    await this.settle(valid, results);
    return { results };
  }

  /** Writes one rating and answers as POST /ratings does: 201 created, 200 duplicate, 409 ALREADY_RATED. */
  private async receipt(row: PreparedRating, dto: CreateRatingDto): Promise<RatingReceipt> {
    const outcome = await this.writer.write(row);
    if (outcome.kind === 'limited') throw limitRefusal(outcome.decided, 1) ?? new Error('a rating refused by a decision that allowed it');
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
    // The device's unit, disabled: the whole upload is refused (409 UNIT_DISABLED) and the PAD keeps its queue, so
    // nothing is set aside as rejected and it goes through once the unit is enabled again.
    const unit = await this.units.requireUnit(device.unitCode);
    assertUnitEnabled(unit);
    for (const [index, item] of items.entries()) {
      const checked = validateRatingItem(item);
      if (checked.dto) {
        valid.push({ index, row: this.prepareFor(unit, device, checked.dto, receivedAt) });
      } else results[index] = { index, status: 'rejected', errors: checked.errors };
    }
    await this.settle(valid, results);
    // What was refused is kept (bounded), so that the console can say why the PAD counts 未通过.
    const refused = results.filter((r) => r.status === 'rejected').map((r) => rejectedItem(r.index, items[r.index], r.errors ?? []));
    await this.rejectedUploads.record(device.deviceId, device.unitCode, refused, receivedAt);
    return { results };
  }

  /** Writes a batch's valid items and fills in their results. */
  private async settle(valid: Array<{ index: number; row: PreparedRating }>, results: BatchItemResult[]): Promise<void> {
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
      // Batch items carry no limits of their own (the request's were decided before): never `limited`.
      if (o.kind === 'limited') throw new Error('a batch item refused by limits it does not carry');
      results[index] =
        o.kind === 'conflict'
          ? {
              index,
              status: 'rejected',
              errors: [{ field: 'serviceRecordId', message: 'ALREADY_RATED: has already been rated with a different body' }],
            }
          : { index, status: o.kind === 'created' ? 'created' : 'duplicate', id: o.id };
    });
  }

  /** The batch items a device's uploads had refused, newest first, each with its reasons in Chinese (admin). */
  async rejectedUploadsOf(deviceId: string): Promise<RejectedUploadsDto> {
    await this.devices.requireDevice(deviceId);
    const rows = await this.rejectedUploads.list(deviceId);
    return { deviceId, keptPerDevice: REJECTED_UPLOADS_KEPT_PER_DEVICE, items: rows.map((r) => RejectedUploadDto.fromRow(r)) };
  }

  async get(user: UserPrincipal, id: string): Promise<RatingResponseDto> {
    const row = await this.views.find(id);
    if (!row) throw DomainError.notFound(`Rating ${id}`);
    assertUnitAccess(user, row.unit_code);
    return RatingResponseDto.fromRow(row);
  }

  async list(user: UserPrincipal, query: ListRatingsQueryDto): Promise<InstanceType<typeof RatingPageDto>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const { rows, total } = await this.views.page(
      {
        unitCode: scopedUnit(user, query.unitCode),
        suspect: query.suspect === undefined ? undefined : query.suspect === 'true',
        suspectStatus: query.suspectStatus,
        deviceId: query.deviceId,
      },
      page,
      pageSize,
    );
    return { items: rows.map((r) => RatingResponseDto.fromRow(r)), page, pageSize, total };
  }

  /** A supervisor puts a suspect rating back into the rates; emits gov.review.suspect-changed; audited. */
  async clearSuspect(user: UserPrincipal, id: string): Promise<RatingResponseDto> {
    return this.views.transaction(async (manager) => {
      const row = await this.views.lockForUpdate(manager, id);
      if (!row) throw DomainError.notFound(`Rating ${id}`);
      if (!row.suspect) {
        if (row.suspect_cleared_at) return RatingResponseDto.fromRow(row); // already cleared: idempotent
        throw new DomainError(ErrorCode.InvalidTransition, 'This rating is not flagged as suspect.');
      }
      if (row.suspect_confirmed_at) {
        throw new DomainError(ErrorCode.InvalidTransition, 'This rating has been confirmed as 刷评: it stays out of the rates.');
      }
      const updated = await this.views.clearSuspect(manager, id, user.sub);
      await this.outbox.add(manager, suspectChangedEvent({ reviewId: id, unitCode: row.unit_code, suspect: false, reason: null }));
      await this.audit.recordBy(user, 'SUSPECT_CLEARED', suspectAuditDetail(row), manager);
      return RatingResponseDto.fromRow(updated);
    });
  }

  /**
   * A supervisor confirms a suspect rating as 刷评: it stays flagged, so out of every rate, and leaves the open
   * suspects; audited. The event re-states the flag (suspect: true) so that every consumer holds the rating out,
   * whatever it has seen before; one that already does changes nothing.
   */
  async confirmSuspect(user: UserPrincipal, id: string): Promise<RatingResponseDto> {
    return this.views.transaction(async (manager) => {
      const row = await this.views.lockForUpdate(manager, id);
      if (!row) throw DomainError.notFound(`Rating ${id}`);
      if (!row.suspect) {
        throw new DomainError(
          ErrorCode.InvalidTransition,
          row.suspect_cleared_at ? 'This rating has been cleared: it counts in the rates.' : 'This rating is not flagged as suspect.',
        );
      }
      if (row.suspect_confirmed_at) return RatingResponseDto.fromRow(row); // already confirmed: idempotent
      const updated = await this.views.confirmSuspect(manager, id, user.sub);
      await this.outbox.add(
        manager,
        suspectChangedEvent({ reviewId: id, unitCode: row.unit_code, suspect: true, reason: row.suspect_reason }),
      );
      await this.audit.recordBy(user, 'SUSPECT_CONFIRMED', suspectAuditDetail(row), manager);
      return RatingResponseDto.fromRow(updated);
    });
  }

  private async prepare(device: DevicePrincipal, dto: CreateRatingDto, receivedAt: Date): Promise<PreparedRating> {
    return this.prepareFor(await this.units.requireEnabledUnit(device.unitCode), device, dto, receivedAt, true);
  }

  /** An online rating: the unit from the body, no device or window, 刷评 counted per (client, unit). */
  private prepareOnline(
    unit: UnitEntity,
    client: PlatformClientPrincipal,
    dto: OnlineRatingDto,
    receivedAt: Date,
    live: boolean,
  ): PreparedRating {
    return {
      ...ratingFields(this.cipher, dto, receivedAt),
      unitCode: unit.code,
      unitName: unit.name,
      channel: 'ONLINE',
      deviceId: null,
      platformClientId: client.clientId,
      burstKey: platformBurstKey(client.clientId, unit.code),
      windowNo: null,
      live,
    };
  }

  /** `live`: a single rating as it happens (its arrival counts for 刷评), not an item of an offline batch. */
  private prepareFor(unit: UnitEntity, device: DevicePrincipal, dto: CreateRatingDto, receivedAt: Date, live = false): PreparedRating {
    return {
      ...ratingFields(this.cipher, dto, receivedAt),
      unitCode: unit.code,
      unitName: unit.name,
      channel: 'PAD',
      deviceId: device.deviceId,
      platformClientId: null,
      burstKey: device.deviceId,
      windowNo: device.windowNo,
      live,
    };
  }
}

/** What the audit log keeps of a suspect decision: the rating, its unit, device and flag (no reviewer data). */
function suspectAuditDetail(r: ReviewRow): Record<string, unknown> {
  return {
    reviewId: r.id,
    unitCode: r.unit_code,
    deviceId: r.device_id,
    windowNo: r.window_no,
    serviceRecordId: r.service_record_id,
    reason: r.suspect_reason,
    ratedAt: r.rated_at.toISOString(),
  };
}
