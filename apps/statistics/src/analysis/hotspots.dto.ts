import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsDayInRange } from '#libs/common';

export class HotspotsQuery {
  @ApiPropertyOptional({ example: '2026-12-07', description: 'Last day of the 7-day window (Asia/Shanghai); default today' })
  @IsOptional()
  @IsDayInRange()
  date?: string;
}

export class HotspotRuleDto {
  @ApiProperty({ example: 7 }) windowDays: number;
  @ApiProperty({ example: 8 }) baselineWeeks: number;
  @ApiProperty({ example: 3, description: 'Fewer bad reviews in the window are never a hotspot' }) minCount: number;
  @ApiProperty({ example: 0.01, description: 'One-sided Poisson tail P(X ≥ count | expected) below this' }) pThreshold: number;
  @ApiProperty({ example: 0.5, description: 'Floor of the expected weekly count (items without history)' }) minExpected: number;
  @ApiProperty() description: string;
}

export class HotspotCasesDto {
  @ApiPropertyOptional() serviceItemCode?: string;
  @ApiPropertyOptional() problemCategory?: string;
  @ApiProperty({ example: '2026-12-01' }) from: string;
  @ApiProperty({ example: '2026-12-07' }) to: string;
  @ApiProperty({
    example: '/api/v1/cases?serviceItemCode=310105-XK-0001&from=2026-12-01&to=2026-12-07',
    description: "Rectification's case list, filtered to this hotspot",
  })
  path: string;
}

export class HotspotDto {
  @ApiProperty({ enum: ['SERVICE_ITEM', 'CATEGORY'] }) kind: 'SERVICE_ITEM' | 'CATEGORY';
  @ApiProperty({ example: '310105-XK-0001', description: 'The service item code, or the 问题分类 code' }) code: string;
  @ApiProperty({ type: String, nullable: true, description: 'The service item name (categories: see GET /problem-categories)' })
  name: string | null;
  @ApiProperty({ description: 'Bad reviews in the 7-day window' }) windowCount: number;
  @ApiProperty({ description: 'Bad reviews in the 8 weeks before the window' }) baselineCount: number;
  @ApiProperty() baselineWeeklyMean: number;
  @ApiProperty({ description: 'Expected count in the window: the weekly mean, floored at minExpected' }) expected: number;
  @ApiProperty() pValue: number;
  @ApiProperty({ type: [String], description: 'Units with bad reviews of it in the window' }) unitCodes: string[];
  @ApiProperty({ type: HotspotCasesDto }) cases: HotspotCasesDto;
}

export class HotspotsDto {
  @ApiProperty({ type: HotspotRuleDto }) rule: HotspotRuleDto;
  @ApiProperty({ example: '2026-12-01' }) windowFrom: string;
  @ApiProperty({ example: '2026-12-07' }) windowTo: string;
  @ApiProperty({ example: '2026-10-06' }) baselineFrom: string;
  @ApiProperty({ type: [HotspotDto], description: 'Most significant first: service items, then categories' }) hotspots: HotspotDto[];
}
