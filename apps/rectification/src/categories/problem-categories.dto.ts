import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsNotBlank } from '#libs/common';
import type { ProblemCategoryEntity } from './problem-category.entity.js';

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const CODE_MESSAGE = 'must be upper-case letters, digits and underscores, starting with a letter (at most 64)';

export class ListProblemCategoriesQuery {
  @ApiPropertyOptional({ description: 'true: the retired categories too' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeRetired?: boolean;
}

export class CreateProblemCategoryDto {
  @ApiProperty({ example: 'EFFICIENCY_APPOINTMENT', description: 'Stable code; never changes once created' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  code: string;

  @ApiProperty({ maxLength: 100, example: '预约难' })
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'A top-level category: the new one is its sub-category' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  parentCode?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 100000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  sort?: number;
}

export class UpdateProblemCategoryDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  name?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  sort?: number;

  @ApiPropertyOptional({ description: 'Retire (true) or bring back (false); categories are never deleted' })
  @IsOptional()
  @IsBoolean()
  retired?: boolean;
}

export class ProblemCategoryDto {
  @ApiProperty({ example: 'EFFICIENCY_WAITING' }) code: string;
  @ApiProperty({ type: String, nullable: true, example: 'EFFICIENCY' }) parentCode: string | null;
  @ApiProperty({ example: '排队等候时间长' }) name: string;
  @ApiProperty() sort: number;
  @ApiProperty() retired: boolean;
  @ApiProperty({ minimum: 0, description: 'Cases that recorded this category' }) usedBy: number;

  static of(e: ProblemCategoryEntity, usedBy: number): ProblemCategoryDto {
    return { code: e.code, parentCode: e.parentCode, name: e.name, sort: e.sort, retired: e.retired, usedBy };
  }
}
