import { createHash, randomUUID } from 'node:crypto';
import { type DataCipher, maskFreeTextFields, sealContact } from '#libs/common';
import { DEFAULT_STAGE, gradeOf } from '#libs/contracts';
import type { CreateRatingDto, ImportedRatingDto } from './dto/create-rating.dto.js';
import { bodyHash } from './rating-rules.js';
import type { PreparedRating } from './ratings.repository.js';

type Origin = 'unitCode' | 'unitName' | 'channel' | 'deviceId' | 'platformClientId' | 'burstKey' | 'windowNo' | 'live';

/**
 * The stored fields of one rating, whoever sent it (a PAD live or from its backlog, the online platform, or a
 * history import): a phone or ID-card number typed into the comment is masked and its original sealed with
 * the contact. The caller adds where it came from (unit, channel, device or client, window, live).
 *
 * The body hash leaves out what names the matter's key or the sender (unitCode, stage, channel): an identical
 * rating of one matter hashes alike from every channel, and a PAD body without those fields hashes as it always did.
 */
export function ratingFields(
  cipher: DataCipher,
  dto: (CreateRatingDto | ImportedRatingDto) & { unitCode?: string; channel?: string },
  receivedAt: Date,
): Omit<PreparedRating, Origin> {
  const text = maskFreeTextFields({ comment: dto.comment });
  const { unitCode: _unit, stage, channel: _channel, ...rated } = dto;
  return {
    id: randomUUID(),
    stage: stage ?? DEFAULT_STAGE,
    serviceRecordId: dto.serviceRecordId,
    serviceItemCode: dto.serviceItemCode,
    serviceItemName: dto.serviceItemName ?? null,
    staffId: dto.staffId ?? null,
    level: dto.level,
    grade: gradeOf(dto.level),
    tags: dto.tags ?? [],
    comment: text.masked.comment,
    contact: sealContact(cipher, dto.reviewer, text.originals),
    ratedAt: new Date(dto.ratedAt),
    receivedAt,
    bodyHash: bodyHash(rated),
  };
}

/**
 * The 刷评 key of ratings a platform client pushes for one unit: a stable UUID of (client, unit), so the burst rules
 * count a client's ratings of one unit as they count one PAD's. A platform serves every unit at once: one key per
 * client would flag a busy platform's honest traffic.
 */
export function platformBurstKey(clientId: string, unitCode: string): string {
  const h = createHash('sha256').update(`platform:${clientId}:${unitCode}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
