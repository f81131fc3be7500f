import { randomUUID } from 'node:crypto';
import { type DataCipher, maskFreeTextFields, sealContact } from '#libs/common';
import { gradeOf } from '#libs/contracts';
import type { CreateRatingDto, ImportedRatingDto } from './dto/create-rating.dto.js';
import { bodyHash } from './rating-rules.js';
import type { PreparedRating } from './ratings.repository.js';

/**
 * The stored fields of one rating, whoever sent it (a PAD live or from its backlog, or a history
 * import): a phone or ID-card number typed into the comment is masked and its original sealed with
 * the contact. The caller adds where it came from (unit, device, window, live).
 */
export function ratingFields(
  cipher: DataCipher,
  dto: CreateRatingDto | ImportedRatingDto,
  receivedAt: Date,
): Omit<PreparedRating, 'unitCode' | 'unitName' | 'deviceId' | 'windowNo' | 'live'> {
  const text = maskFreeTextFields({ comment: dto.comment });
  return {
    id: randomUUID(),
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
    bodyHash: bodyHash(dto),
  };
}
