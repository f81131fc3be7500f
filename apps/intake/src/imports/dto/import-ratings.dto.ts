import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsOptional, IsString, isString, Length, length } from 'class-validator';
import { registerFastValidator } from '#libs/platform';
import { ImportedRatingDto } from '../../ratings/dto/create-rating.dto.js';

export const MAX_IMPORT_ITEMS = 5_000;

export class ImportRatingsDto {
  @ApiProperty({ example: 'CN-01', description: 'The registered unit the ratings belong to' })
  @IsString()
  @Length(1, 32)
  unitCode: string;

  @ApiPropertyOptional({ example: 'A03', description: 'The window, when the previous platform knew it' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  windowNo?: string;

  @ApiProperty({
    type: [ImportedRatingDto],
    minItems: 1,
    maxItems: MAX_IMPORT_ITEMS,
    description: 'Each item is validated on its own, as a PAD rating but with ratedAt from 2000-01-01 on; over 5,000 items or 8 MiB → 413',
  })
  @IsArray()
  @ArrayMinSize(1)
  ratings: unknown[];
}

/** The import envelope's fast path (the items are validated one by one by the service), as for the device batch. */
function fastImportEnvelope(value: unknown): ImportRatingsDto | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return null;
  const v = value as Record<string, unknown>;
  for (const key in v) if (!['unitCode', 'windowNo', 'ratings'].includes(key) || v[key] === undefined || v[key] === null) return null;
  if (!isString(v.unitCode) || !length(v.unitCode, 1, 32)) return null;
  if ('windowNo' in v && (!isString(v.windowNo) || !length(v.windowNo, 1, 32))) return null;
  if (!Array.isArray(v.ratings) || v.ratings.length < 1) return null;
  const dto = new ImportRatingsDto();
  dto.unitCode = v.unitCode;
  if ('windowNo' in v) dto.windowNo = v.windowNo as string;
  dto.ratings = v.ratings as unknown[];
  return dto;
}

registerFastValidator(ImportRatingsDto, fastImportEnvelope);
