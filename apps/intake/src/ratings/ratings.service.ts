import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DevicePrincipal } from '#libs/auth';
import { DataCipher, DomainError, ErrorCode, quarterLabel, quarterOf, sealContact } from '#libs/common';
import { createCloudEvent, EventSources, EventTypes, gradeOf, type Grade, type ReviewSubmittedData, Topics } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { RegistryService } from '../registry/registry.service.js';
import type { CreateRatingDto } from './dto/create-rating.dto.js';

export const FUTURE_TOLERANCE_MS = 300_000;

export interface RatingReceipt {
  id: string;
  grade: Grade;
  unitCode: string;
  quarter: string;
  duplicate: boolean;
}

/** Canonical JSON (sorted keys) so that an identical retry hashes identically. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function bodyHash(dto: object): string {
  return createHash('sha256').update(canonical(dto)).digest('hex');
}

@Injectable()
export class RatingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly registry: RegistryService,
    private readonly cipher: DataCipher,
  ) {}

  /** Stores one rating and its event in one transaction (一次一评: one per service record and unit). */
  async submit(device: DevicePrincipal, dto: CreateRatingDto, receivedAt = new Date()): Promise<RatingReceipt> {
    const ratedAt = new Date(dto.ratedAt);
    if (ratedAt.getTime() - receivedAt.getTime() > FUTURE_TOLERANCE_MS) {
      throw DomainError.validation([{ field: 'ratedAt', message: 'must not be more than 300 seconds in the future' }]);
    }
    const unit = await this.registry.requireUnit(device.unitCode);
    const grade = gradeOf(dto.level);
    const hash = bodyHash(dto);
    const id = randomUUID();
    const contact = sealContact(this.cipher, dto.reviewer);
    const receipt = (created: string, duplicate: boolean): RatingReceipt => ({
      id: created,
      grade,
      unitCode: unit.code,
      quarter: quarterLabel(quarterOf(ratedAt)),
      duplicate,
    });

    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
           window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
           rated_at, received_at, body_hash)
         VALUES ($1, $2, 'PAD', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (unit_code, service_record_id) WHERE channel = 'PAD' DO NOTHING
         RETURNING id`,
        [
          id,
          unit.code,
          dto.serviceRecordId,
          dto.serviceItemCode,
          dto.serviceItemName ?? null,
          dto.staffId ?? null,
          device.windowNo,
          device.deviceId,
          dto.level,
          grade,
          dto.tags ?? [],
          dto.comment ?? null,
          contact.sealed,
          contact.maskedName,
          contact.maskedPhone,
          ratedAt,
          receivedAt,
          hash,
        ],
      )) as Array<{ id: string }>;
      if (inserted.length === 0) {
        const [existing] = (await manager.query(
          `SELECT id, body_hash FROM reviews WHERE unit_code = $1 AND service_record_id = $2 AND channel = 'PAD'`,
          [unit.code, dto.serviceRecordId],
        )) as Array<{ id: string; body_hash: string }>;
        if (existing && existing.body_hash === hash) return receipt(existing.id, true);
        throw new DomainError(ErrorCode.AlreadyRated, `Service record ${dto.serviceRecordId} has already been rated with different content.`);
      }
      const data: ReviewSubmittedData = {
        reviewId: id,
        unitCode: unit.code,
        unitName: unit.name,
        channel: 'PAD',
        level: dto.level,
        grade,
        tags: dto.tags ?? [],
        serviceItemCode: dto.serviceItemCode,
        serviceItemName: dto.serviceItemName ?? null,
        serviceRecordId: dto.serviceRecordId,
        windowNo: device.windowNo,
        staffId: dto.staffId ?? null,
        comment: dto.comment ?? null,
        ratedAt: ratedAt.toISOString(),
        receivedAt: receivedAt.toISOString(),
        suspect: false,
        suspectReason: null,
        ticketId: null,
        hotlineClientId: null,
        category: null,
        dueAt: null,
        contact,
      };
      await this.outbox.add(manager, {
        topic: Topics.ReviewsSubmitted,
        key: unit.code,
        event: createCloudEvent({ type: EventTypes.ReviewSubmitted, source: EventSources.Intake, subject: id, data }),
      });
      return receipt(id, false);
    });
  }
}
