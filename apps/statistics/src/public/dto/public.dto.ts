import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class PublicQuarterParams {
  @ApiProperty({ example: 2026, minimum: 2000, maximum: 2100 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 3, minimum: 1, maximum: 4 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  quarter: number;
}

export class PublicQuarterRefDto {
  @ApiProperty({ example: 2026 }) year: number;
  @ApiProperty({ example: 3 }) quarter: number;
  @ApiProperty({ example: '2026-10-08T02:00:00.000Z' }) publishedAt: string;
  @ApiProperty({ example: '/api/v1/public/quarters/2026/3' }) href: string;
  @ApiProperty({ example: '/public/2026/3', description: 'The page for people' }) page: string;
}

export class PublicQuarterListDto {
  @ApiProperty({ type: [PublicQuarterRefDto] }) items: PublicQuarterRefDto[];
}

export class PublicPeriodDto {
  @ApiProperty() year: number;
  @ApiProperty() quarter: number;
  @ApiProperty({ example: '2026-07-01' }) from: string;
  @ApiProperty({ example: '2026-09-30' }) to: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timezone: string;
}

export class PublicDistrictDto {
  @ApiProperty({ description: '评价总数' }) total: number;
  @ApiProperty({ description: '好评数' }) good: number;
  @ApiProperty({ description: '差评数' }) bad: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: '好评率 = good / total' }) goodRate: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: '差评及时答复率' }) timelyResponseRate: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: '差评整改率' }) rectificationRate: number | null;
}

export class PublicUnitDto {
  @ApiProperty() rank: number;
  @ApiProperty() unitCode: string;
  @ApiProperty() unitName: string;
  @ApiProperty() total: number;
  @ApiProperty() good: number;
  @ApiProperty({ description: '差评数' }) bad: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) goodRate: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) timelyResponseRate: number | null;
}

export class PublicExampleDto {
  @ApiProperty() unitName: string;
  @ApiProperty({ enum: ['BAD_REVIEW', 'HOTLINE', 'UNRESOLVED'] }) source: string;
  @ApiProperty({ description: 'The matter as the unit worded it for the public' }) matter: string;
  @ApiProperty({ description: 'The measures taken, as the unit worded them for the public' }) measures: string;
  @ApiPropertyOptional({ nullable: true, enum: ['RECTIFIED', 'EXPLAINED'] }) outcome: string | null;
  @ApiProperty() openedAt: string;
  @ApiProperty() closedAt: string;
}

export class PublicQuarterDto {
  @ApiProperty({ type: PublicPeriodDto }) period: PublicPeriodDto;
  @ApiProperty({ example: '2026-10-08T02:00:00.000Z' }) publishedAt: string;
  @ApiProperty({ type: PublicDistrictDto }) district: PublicDistrictDto;
  @ApiProperty({ type: [PublicUnitDto], description: 'Every unit, in rank order (好评率 desc, then volume)' }) units: PublicUnitDto[];
  @ApiProperty({
    type: [PublicExampleDto],
    description: '以评促改 examples: the quarter’s cases (opened in it), closed, that their unit chose to publish',
  })
  examples: PublicExampleDto[];
}
