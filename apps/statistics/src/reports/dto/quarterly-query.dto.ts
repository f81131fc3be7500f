import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class QuarterlyQuery {
  @ApiProperty({ example: 2024 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 4, minimum: 1, maximum: 4 })
  @Type(() => Number)
  @IsInt()
  @IsIn([1, 2, 3, 4])
  quarter: 1 | 2 | 3 | 4;

  @ApiPropertyOptional({ example: 'CN-01' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  unitCode?: string;
}
