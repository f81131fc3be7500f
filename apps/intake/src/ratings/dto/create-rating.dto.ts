import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  BAD_REVIEW_TAG_CODES,
  type BadReviewTag,
  CASE_OUTCOMES,
  type CaseOutcome,
  FIELD_MAX_LENGTH,
  RATING_CHANNELS,
  type RatingChannel,
  type RatingLevel,
  type Stage,
  STAGES,
} from '#libs/contracts';
import { IsNotBlank, MAINLAND_MOBILE } from '#libs/common';
import { IsInstantWithOffset } from '../../shared/validators.js';
import { IsRatedAt } from '../rated-at.js';

export class ReviewerDto {
  @ApiPropertyOptional({ example: '张三' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  name?: string;

  @ApiPropertyOptional({ example: '13800138000', description: 'Mainland mobile number' })
  @IsOptional()
  @IsString()
  @Matches(MAINLAND_MOBILE, { message: 'must be a valid mainland mobile number' })
  phone?: string;
}

/** The fields of a rating but its ratedAt, whose bounds differ between a device and an import. */
export abstract class RatingFieldsDto {
  @ApiProperty({ example: 'CN-2024-000123', description: 'The service instance rated (一次一评): one rating each' })
  @IsString()
  @Length(1, FIELD_MAX_LENGTH.serviceRecordId)
  @IsNotBlank()
  serviceRecordId: string;

  @ApiProperty({ example: '310105-XK-0001' })
  @IsString()
  @Length(1, FIELD_MAX_LENGTH.serviceItemCode)
  @IsNotBlank()
  serviceItemCode: string;

  @ApiPropertyOptional({ example: '食品经营许可' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  serviceItemName?: string;

  @ApiPropertyOptional({ example: 'E1024' })
  @IsOptional()
  @IsString()
  @MaxLength(FIELD_MAX_LENGTH.staffId)
  staffId?: string;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 5, description: '5 非常满意 … 1 非常不满意' })
  @IsInt()
  @Min(1)
  @Max(5)
  level: RatingLevel;

  @ApiPropertyOptional({ example: ['EFFICIENCY'], enum: BAD_REVIEW_TAG_CODES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(BAD_REVIEW_TAG_CODES.length)
  @ArrayUnique({ message: 'must not repeat a tag' })
  @IsIn(BAD_REVIEW_TAG_CODES, { each: true, message: `each value must be one of ${BAD_REVIEW_TAG_CODES.join(', ')}` })
  tags?: BadReviewTag[];

  @ApiPropertyOptional({ example: '等了很久', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  comment?: string;

  @ApiPropertyOptional({ type: ReviewerDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReviewerDto)
  reviewer?: ReviewerDto;

  @ApiPropertyOptional({
    enum: STAGES,
    example: 'COMPLETION',
    description: 'The stage of the matter rated (一事一评): ACCEPTANCE 受理 or COMPLETION 办结 (default). One rating per matter and stage',
  })
  @IsOptional()
  @IsIn(STAGES, { message: `must be one of ${STAGES.join(', ')}` })
  stage?: Stage;

  abstract ratedAt: string;
}

export class CreateRatingDto extends RatingFieldsDto {
  @ApiProperty({
    example: '2024-11-20T09:30:00+08:00',
    description:
      'ISO-8601 with offset; not more than 300 s in the future nor more than RATING_MAX_AGE_DAYS (default 30) days before receipt',
  })
  @IsInstantWithOffset({ future: true })
  @IsRatedAt('device')
  ratedAt: string;
}

/** How the previous platform handled an imported bad review (API.md § POST /imports/ratings). */
export class ImportHandlingDto {
  @ApiProperty({ example: '2019-06-03T16:00:00+08:00', description: 'When the unit contacted the reviewer; not before ratedAt' })
  @IsInstantWithOffset()
  respondedAt: string;

  @ApiPropertyOptional({
    description:
      'Whether that was within the 1-working-day deadline; when absent, judged by the mainland working-day calendar ' +
      '(respondedAt by the end of the first working day after ratedAt)',
  })
  @IsOptional()
  @IsBoolean()
  respondedOnTime?: boolean;

  @ApiProperty({ enum: CASE_OUTCOMES, description: 'How the case ended: rectified, explained, or an upheld appeal (leaves the figures)' })
  @IsIn(CASE_OUTCOMES)
  outcome: CaseOutcome;

  @ApiPropertyOptional({ example: '2019-06-05T17:00:00+08:00', description: 'When the case was closed; not before respondedAt' })
  @IsOptional()
  @IsInstantWithOffset()
  closedAt?: string;
}

/** An item of POST /imports/ratings: a rating from a previous platform, ratedAt from 2000-01-01 on. */
export class ImportedRatingDto extends RatingFieldsDto {
  @ApiPropertyOptional({
    type: ImportHandlingDto,
    description:
      'Bad items only (level 1–2): how the previous platform handled it. Such an item opens no case; its figures ' +
      '(responded on time, rectified, upheld) come from this history',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ImportHandlingDto)
  handling?: ImportHandlingDto;

  @ApiProperty({
    example: '2019-06-03T10:15:00+08:00',
    description: 'ISO-8601 with offset; from 2000-01-01 (Asia/Shanghai) to now (+300 s)',
  })
  @IsInstantWithOffset({ future: true })
  @IsRatedAt('import')
  ratedAt: string;

  @ApiPropertyOptional({
    enum: RATING_CHANNELS,
    example: 'PAD',
    description: 'The channel the previous platform took the rating by; PAD when not said',
  })
  @IsOptional()
  @IsIn(RATING_CHANNELS, { message: `must be one of ${RATING_CHANNELS.join(', ')}` })
  channel?: RatingChannel;
}

/** POST /online/ratings (and each batch item): a PAD rating plus the unit the online 办件 belongs to. */
export class OnlineRatingDto extends CreateRatingDto {
  @ApiProperty({ example: 'CN-01', description: 'The registered unit whose matter was rated' })
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode: string;
}
