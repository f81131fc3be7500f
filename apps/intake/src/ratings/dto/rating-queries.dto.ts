import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsIntInRange, IsNotBlank, MAX_PAGE, MAX_PAGE_SIZE } from '#libs/common';

export class ListRatingsQueryDto {
  @ApiPropertyOptional({ example: 'CN-01' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  suspect?: 'true' | 'false';

  @ApiPropertyOptional({
    enum: ['OPEN', 'CONFIRMED', 'CLEARED'],
    description: 'OPEN: flagged, not yet decided; CONFIRMED: confirmed as 刷评 (stays out); CLEARED: cleared (counts again)',
  })
  @IsOptional()
  @IsIn(['OPEN', 'CONFIRMED', 'CLEARED'])
  suspectStatus?: 'OPEN' | 'CONFIRMED' | 'CLEARED';

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  deviceId?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE_SIZE)
  pageSize?: number;
}
