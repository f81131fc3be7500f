import { ApiProperty, type ApiPropertyOptions, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS, HOTLINE_CATEGORIES } from '#libs/contracts';
import { LEVEL_KEYS } from '../domain/report.js';

const RATE = { type: Number, nullable: true, description: 'A ratio at full precision (0–1); null when its denominator is 0' } as const;
const countsBy = (keys: readonly string[], description: string): ApiPropertyOptions => ({
  type: 'object',
  properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' }])),
  required: [...keys],
  description,
});

export class ReportPeriodDto {
  @ApiPropertyOptional({ example: 2026, description: 'Quarter reports only' }) year?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 4, description: 'Quarter reports only' }) quarter?: number;
  @ApiProperty({ format: 'date', description: 'First Shanghai day, inclusive' }) from: string;
  @ApiProperty({ format: 'date', description: 'Last Shanghai day, inclusive' }) to: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timezone: string;
}

export class ReviewTotalsDto {
  @ApiProperty() total: number;
  @ApiProperty() good: number;
  @ApiProperty() bad: number;
  @ApiProperty(RATE) goodRate: number | null;
  @ApiProperty(countsBy(LEVEL_KEYS, 'Reviews by level (1–5)')) byLevel: Record<string, number>;
  @ApiProperty(countsBy(CHANNELS, 'Reviews by channel')) byChannel: Record<string, number>;
}

export class BadReviewsDto {
  @ApiProperty() total: number;
  @ApiProperty({ description: 'Bad reviews whose response was due (responded, or responseDueAt passed)' }) due: number;
  @ApiProperty() respondedOnTime: number;
  @ApiProperty({ ...RATE, description: '差评及时答复率: respondedOnTime / due' }) timelyResponseRate: number | null;
  @ApiProperty() rectified: number;
  @ApiProperty({ ...RATE, description: 'rectified / total' }) rectificationRate: number | null;
  @ApiProperty() open: number;
  @ApiProperty() overdue: number;
  @ApiProperty() appealsUpheld: number;
  @ApiPropertyOptional({ description: 'Bad reviews whose deadline rests on a provisional calendar day' }) provisionalDeadlines?: number;
}

export class UnresolvedTotalsDto {
  @ApiProperty() total: number;
  @ApiProperty() closed: number;
}

export class HotlineSectionDto {
  @ApiProperty() total: number;
  @ApiProperty(countsBy(HOTLINE_CATEGORIES, '12345 transfers by category')) byCategory: Record<string, number>;
  @ApiProperty() closed: number;
  @ApiProperty() overdue: number;
}

export class UnitRowDto {
  @ApiProperty() unitCode: string;
  @ApiProperty() unitName: string;
  @ApiProperty() total: number;
  @ApiProperty() good: number;
  @ApiProperty() bad: number;
  @ApiProperty(RATE) goodRate: number | null;
  @ApiProperty(RATE) timelyResponseRate: number | null;
  @ApiProperty({ minimum: 1, description: 'Competition ranking (1, 2, 2, 4) by goodRate, then total' }) rank: number;
}

export class TagCountDto {
  @ApiProperty({ example: 'ATTITUDE' }) tag: string;
  @ApiProperty({ example: '服务态度差' }) label: string;
  @ApiProperty() count: number;
}

export class ServiceItemCountDto {
  @ApiProperty() serviceItemCode: string;
  @ApiProperty({ type: String, nullable: true }) serviceItemName: string | null;
  @ApiProperty() count: number;
}

export class PreviousQuarterDto {
  @ApiProperty() total: number;
  @ApiProperty(RATE) goodRate: number | null;
}

export class PublishedInfoDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'The publishing supervisor’s account id (JWT `sub`)' }) by: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '王督查',
    description:
      'The publisher’s display name at publication (the token’s `name`); null when the token had none, absent from quarters ' +
      'published before names were kept. Readers are shown this, or 「—」, never `by`',
  })
  byName?: string | null;
}

export class ChangeSincePublishedDto {
  @ApiProperty({ description: 'Live reviews.total − published' }) reviews: number;
  @ApiProperty({ description: 'Live reviews.bad − published' }) bad: number;
  @ApiProperty({ ...RATE, description: 'Live goodRate − published (null when either is null)' }) goodRate: number | null;
}

export class CategoryCountDto {
  @ApiProperty({ example: 'EFFICIENCY', description: 'A top-level 问题分类 (a sub-category counts for its category)' }) code: string;
  @ApiProperty({ example: '办事效率与等候' }) name: string;
  @ApiProperty({ description: 'Counted bad reviews of the period whose case was rectified with this category' }) count: number;
  @ApiProperty({ description: 'The same in the previous quarter (a date range: the range of the same length just before)' })
  previous: number;
}

export class AnalysisClassesDto {
  @ApiProperty({ description: '类问题 opened (openedAt, Asia/Shanghai) in the period; a unit: those with a case or an action of it' })
  opened: number;
  @ApiProperty({ description: '类问题 solved (all actions accepted; solvedAt) in the period — M of 破解 M 类问题' }) solved: number;
  @ApiProperty({ description: 'Distinct cases of the classes solved in the period (a unit: its own) — N of 解决 N 个诉求' })
  casesCovered: number;
}

export class AnalysisSectionDto {
  @ApiProperty({ type: [CategoryCountDto], description: 'Categories with a bad review in the period or the one before, most first' })
  byCategory: CategoryCountDto[];
  @ApiProperty({ type: AnalysisClassesDto }) classes: AnalysisClassesDto;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'GET /analysis/hotspots as of the period’s last day (today while it runs); a unit: those it has a part in',
  })
  hotspots: object[];
}

/** The quarterly (or summary) report of API.md § Statistics service. */
export class QuarterlyReportDto {
  @ApiProperty({ type: ReportPeriodDto }) period: ReportPeriodDto;
  @ApiProperty({ type: ReviewTotalsDto }) reviews: ReviewTotalsDto;
  @ApiProperty({ type: BadReviewsDto }) badReviews: BadReviewsDto;
  @ApiProperty({ type: UnresolvedTotalsDto }) unresolvedReports: UnresolvedTotalsDto;
  @ApiPropertyOptional({ type: HotlineSectionDto, description: 'Absent from snapshots published before the section existed' })
  hotline?: HotlineSectionDto;
  @ApiProperty({ type: [UnitRowDto] }) units: UnitRowDto[];
  @ApiProperty({ type: [TagCountDto] }) topBadTags: TagCountDto[];
  @ApiProperty({ type: [ServiceItemCountDto] }) topBadServiceItems: ServiceItemCountDto[];
  @ApiPropertyOptional({ type: AnalysisSectionDto, description: '分析研判; absent from snapshots published before the section existed' })
  analysis?: AnalysisSectionDto;
  @ApiProperty({ type: PreviousQuarterDto, nullable: true }) previousQuarter: PreviousQuarterDto | null;
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiPropertyOptional({ type: PublishedInfoDto, description: 'On the frozen report of a published quarter' })
  published?: PublishedInfoDto;
  @ApiPropertyOptional({ type: ChangeSincePublishedDto, nullable: true, description: 'Published quarters: null while unchanged' })
  changedSincePublished?: ChangeSincePublishedDto | null;
}

export class PublishedQuarterDto {
  @ApiProperty() year: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4 }) quarter: number;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
  @ApiProperty({ description: 'The publisher’s account id' }) publishedBy: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '王督查',
    description: 'The publisher’s display name at publication; null for quarters published before names were kept',
  })
  publishedByName: string | null;
}

export class PublishedQuartersDto {
  @ApiProperty({ type: [PublishedQuarterDto] }) items: PublishedQuarterDto[];
}

/** POST /reports/quarterly/bulletin-links: a shareable address of one quarter's bulletin. */
export class BulletinLinkDto {
  @ApiProperty({
    example: '/api/v1/reports/quarterly/bulletin?year=2024&quarter=4&link=eyJ2IjoxLC4uLn0.c2ln',
    description:
      'The bulletin’s address relative to this service (path and query): it opens without a bearer token until `expiresAt`. ' +
      'The console prefixes its proxy (`/console/svc/statistics`) so that the address is on the console’s origin',
  })
  url: string;
  @ApiProperty({ format: 'date-time', description: 'When the link stops working' }) expiresAt: string;
}

export class RebuildResultDto {
  @ApiProperty({ description: 'Reviews statistics holds (its submitted review facts) that the rollups were computed from' })
  reviews: number;
  @ApiProperty({ description: '办不成事 reports statistics holds that the rollups were computed from' }) unresolvedReports: number;
  @ApiProperty({ format: 'date-time' }) rebuiltAt: string;
}
