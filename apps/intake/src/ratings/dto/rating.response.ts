import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { quarterLabel, quarterOf } from '#libs/common';
import { BAD_REVIEW_TAGS, CHANNELS, GRADES, type Grade, RATING_LEVELS, type RatingLevel, STAGES } from '#libs/contracts';
import { FieldErrorDto, pageOf } from '#libs/platform';
import { type ReviewRow, type SuspectStatus, suspectStatusOf } from '../rating-views.repository.js';
import type { RejectedUploadRow } from '../rejected-uploads.repository.js';
import { rejectionReason } from '../rejection-reasons.js';

export class MaskedReviewerDto {
  @ApiProperty({ type: String, nullable: true, example: '张*' })
  name: string | null;

  @ApiProperty({ type: String, nullable: true, example: '138****5678' })
  phone: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the retention sweep erased the contact (已按期删除; name and phone are then null); null while kept',
  })
  erasedAt: string | null;
}

/** A stored rating as supervisors and unit operators see it: contact masked, suspect flag and reason visible. */
export class RatingResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'CN-01' }) unitCode: string;
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiProperty({ enum: STAGES, description: 'The stage of the matter rated (一事一评); COMPLETION for a 12345 transfer' }) stage: string;
  @ApiProperty({ type: String, nullable: true }) serviceRecordId: string | null;
  @ApiProperty({ type: String, nullable: true }) serviceItemCode: string | null;
  @ApiProperty({ type: String, nullable: true }) serviceItemName: string | null;
  @ApiProperty({ type: String, nullable: true }) staffId: string | null;
  @ApiProperty({ type: String, nullable: true }) windowNo: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) deviceId: string | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 5, description: 'null for a 12345 transfer' }) level: number | null;
  @ApiProperty({ enum: GRADES }) grade: Grade;
  @ApiProperty({ type: [String], example: ['ATTITUDE'] }) tags: string[];
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ type: MaskedReviewerDto }) reviewer: MaskedReviewerDto;
  @ApiProperty({ format: 'date-time' }) ratedAt: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ example: '2026-Q4', description: 'The Asia/Shanghai quarter of ratedAt' }) quarter: string;
  @ApiProperty() suspect: boolean;
  @ApiProperty({ type: String, nullable: true }) suspectReason: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) suspectClearedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) suspectClearedBy: string | null;
  @ApiProperty({
    enum: ['OPEN', 'CONFIRMED', 'CLEARED'],
    nullable: true,
    description:
      "Where a supervisor's review of the 刷评 flag stands: OPEN (waiting), CONFIRMED (stays out), CLEARED (counts); null when never flagged",
  })
  suspectStatus: SuspectStatus | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) suspectConfirmedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) suspectConfirmedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) ticketId: string | null;

  static fromRow(r: ReviewRow): RatingResponseDto {
    return {
      id: r.id,
      unitCode: r.unit_code,
      channel: r.channel,
      stage: r.stage,
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
      reviewer: { name: r.contact_masked_name, phone: r.contact_masked_phone, erasedAt: r.contact_erased_at?.toISOString() ?? null },
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
}

export const RatingPageDto = pageOf(RatingResponseDto, 'RatingPageDto');

/** The answer to a stored (or identically retried) rating. */
export class RatingReceiptDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['GOOD', 'BAD'] }) grade: Grade;
  @ApiProperty({ example: 'CN-01' }) unitCode: string;
  @ApiProperty({ example: '2026-Q4' }) quarter: string;
  @ApiProperty({ description: 'true: an identical retry of a stored rating (200)' }) duplicate: boolean;
}

/** One item's outcome in an offline batch or an import. */
export class BatchItemResultDto {
  @ApiProperty({ minimum: 0 }) index: number;
  @ApiProperty({ enum: ['created', 'duplicate', 'rejected'] }) status: 'created' | 'duplicate' | 'rejected';
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

export class BatchResultsDto {
  @ApiProperty({ type: [BatchItemResultDto] }) results: BatchItemResultDto[];
}

export class RatingTagDto {
  @ApiProperty({ enum: Object.keys(BAD_REVIEW_TAGS) }) code: string;
  @ApiProperty({ example: '服务态度差' }) label: string;
}

export class RatingLevelDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 }) level: RatingLevel;
  @ApiProperty({ example: '非常满意' }) name: string;
  @ApiProperty({ enum: ['GOOD', 'BAD'] }) grade: 'GOOD' | 'BAD';
}

/** Bad-review tags with their labels, and the five levels (RATING_LEVELS). */
export class RatingTagsDto {
  @ApiProperty({ type: [RatingTagDto] }) tags: RatingTagDto[];
  @ApiProperty({ type: [RatingLevelDto] }) levels: RatingLevelDto[];

  static current(): RatingTagsDto {
    return { tags: Object.entries(BAD_REVIEW_TAGS).map(([code, label]) => ({ code, label })), levels: [...RATING_LEVELS] };
  }
}

/** One batch item a device's upload refused, with why (the 未通过 counter of the PAD, explained). */
export class RejectedUploadDto {
  @ApiProperty({ minimum: 0, description: 'The item’s index in its batch' }) index: number;
  @ApiProperty({ type: String, nullable: true, example: 'CN-2024-000123', description: 'The service record it named, if any' })
  serviceRecordId: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the batch holding it was received' }) receivedAt: string;
  @ApiProperty({ type: [String], example: ['回访电话：不是有效的手机号码'], description: 'Why, in Chinese, one line per error' })
  reasons: string[];
  @ApiProperty({ type: [FieldErrorDto], description: 'The errors as the batch answered them' }) errors: FieldErrorDto[];

  static fromRow(r: RejectedUploadRow): RejectedUploadDto {
    return {
      index: r.item_index,
      serviceRecordId: r.service_record_id,
      receivedAt: r.received_at.toISOString(),
      reasons: r.errors.map(rejectionReason),
      errors: r.errors,
    };
  }
}

export class RejectedUploadsDto {
  @ApiProperty({ format: 'uuid' }) deviceId: string;
  @ApiProperty({ description: 'How many of its newest refused items are kept per device' }) keptPerDevice: number;
  @ApiProperty({ type: [RejectedUploadDto], description: 'Newest batch first' }) items: RejectedUploadDto[];
}
