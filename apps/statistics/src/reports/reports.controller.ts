import { Controller, Get, HttpCode, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems, sendPageSecurityHeaders } from '#libs/platform';
import { RebuildService } from '../rollups/rebuild.service.js';
import type { QuarterlyReport } from './domain/report.js';
import { PublishingService } from '../publishing/publishing.service.js';
import { BulletinLinkDto, PublishedQuartersDto, QuarterlyReportDto, RebuildResultDto } from './dto/quarterly-report.response.js';
import {
  BulletinQuery,
  BulletinScopeQuery,
  QuarterlyQuery,
  QuarterQuery,
  type ReportFormat,
  SummaryQuery,
} from './dto/quarterly-query.dto.js';
import { BulletinAccess, type BulletinReader, CurrentBulletinReader } from '../bulletin-links/bulletin-access.guard.js';
import { BULLETIN_LINK_TTL_DAYS } from '../bulletin-links/bulletin-link-token.js';
import { BulletinLinksService } from '../bulletin-links/bulletin-links.service.js';
import { renderBulletin } from './render/bulletin.js';
import { reportToCsv } from './render/csv.js';
import { reportToXlsx } from './render/xlsx.js';
import { HeavyRead } from './heavy-read.interceptor.js';
import { ReportsService } from './reports.service.js';

/**
 * The bulletin is self-contained: inline CSS and inline SVG charts, no script, no external
 * resource. Styles stay inline-only (the charts' SVG carries style attributes); nothing else loads.
 */
export const BULLETIN_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The report as JSON (default), or as a csv / xlsx download (`format`). */
const REPORT_RESPONSE = {
  description: 'The report; `format=csv|xlsx` downloads it',
  content: {
    'application/json': { schema: { $ref: getSchemaPath(QuarterlyReportDto) } },
    'text/csv': { schema: { type: 'string' } },
    [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } },
  },
} as const;

/** A download's Content-Disposition; names are built from validated periods (ASCII, no quotes). */
const attachment = (filename: string) => `attachment; filename="${filename}"`;

/** JSON by default; csv/xlsx as a download named after the period. */
async function send(res: FastifyReply, report: QuarterlyReport, format: ReportFormat | undefined, name: string) {
  if (format === 'csv') {
    res.header('Content-Disposition', attachment(`${name}.csv`));
    return new StreamableFile(reportToCsv(report), { type: 'text/csv; charset=utf-8' });
  }
  if (format === 'xlsx') {
    res.header('Content-Disposition', attachment(`${name}.xlsx`));
    return new StreamableFile(await reportToXlsx(report), { type: XLSX_TYPE });
  }
  return report;
}

@ApiTags('reports')
@ApiExtraModels(QuarterlyReportDto)
@ApiProblems(401, 403, 429)
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly rebuilder: RebuildService,
    private readonly publishing: PublishingService,
    private readonly links: BulletinLinksService,
  ) {}

  @Get('quarterly')
  @HeavyRead()
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOkResponse(REPORT_RESPONSE)
  @ApiProblems(400)
  @ApiOperation({
    summary:
      'Quarterly report (Asia/Shanghai calendar quarters), with the previous quarter for comparison. A published quarter answers ' +
      'its frozen snapshot (byte for byte) with `published` and `changedSincePublished` (live minus published reviews, bad, goodRate; ' +
      'null while unchanged); `live=true` gives the live figures',
  })
  async quarterly(@CurrentPrincipal() user: UserPrincipal, @Query() q: QuarterlyQuery, @Res({ passthrough: true }) res: FastifyReply) {
    const answer = await this.publishing.quarterly(user, q.year, q.quarter, q.unitCode, q.live === true);
    if (answer.kind === 'published' && (q.format ?? 'json') === 'json') {
      res.type('application/json; charset=utf-8');
      return answer.json;
    }
    return send(res, answer.report, q.format, `report-${q.year}-Q${q.quarter}`);
  }

  @Get('quarterly/bulletin')
  @HeavyRead()
  @BulletinAccess('admin', 'supervisor', 'unit_operator')
  @ApiOkResponse({ description: 'The 通报 page', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  @ApiOperation({
    summary:
      'Printable quarterly 通报 (HTML, Chinese, with charts); a published quarter renders its snapshot and says 已发布 with time and ' +
      'publisher. Opens with a bearer token, or without one through a shareable link (`link`, from POST quarterly/bulletin-links)',
  })
  async bulletin(
    @CurrentBulletinReader() reader: BulletinReader,
    @Query() q: BulletinQuery,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const { report, extras } =
      reader.kind === 'link'
        ? await this.links.bulletin(reader.grant, { year: q.year, quarter: q.quarter, unitCode: q.unitCode, live: q.live === true })
        : await this.publishing.bulletin(reader, q.year, q.quarter, q.unitCode, q.live === true);
    res.type('text/html; charset=utf-8');
    sendPageSecurityHeaders(res, BULLETIN_CSP);
    // A shared address is nobody's to cache or index.
    if (reader.kind === 'link') res.header('Cache-Control', 'no-store').header('X-Robots-Tag', 'noindex, nofollow');
    return renderBulletin(report, extras);
  }

  @Post('quarterly/bulletin-links')
  @Auth('supervisor')
  @ApiCreatedResponse({ type: BulletinLinkDto })
  @ApiProblems(400, 503)
  @ApiOperation({
    summary:
      `A shareable address of one quarter’s bulletin (the district’s, or a unit’s; frozen once published unless live=true): it opens ` +
      `without a bearer token for ${BULLETIN_LINK_TTL_DAYS} days, that bulletin only. Signed (HMAC) with BULLETIN_LINK_SECRET, else a key ` +
      'derived from JWT_SECRET; it carries no name, phone or account. Audited (BULLETIN_LINK_CREATED)',
  })
  async bulletinLink(
    @CurrentPrincipal() user: UserPrincipal,
    @Query() q: BulletinScopeQuery,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    res.status(201);
    return this.links.create(user, { year: q.year, quarter: q.quarter, unitCode: q.unitCode, live: q.live === true });
  }

  @Post('quarterly/publish')
  @Auth('supervisor')
  @ApiCreatedResponse({
    type: QuarterlyReportDto,
    description: 'The frozen report with `published: { at, by, byName }` (and `changedSincePublished: null`)',
  })
  @ApiProblems(400, 409)
  @ApiOperation({
    summary:
      '每季度通报: freeze an ended quarter’s report as it stands (the district and every unit); once only. Snapshots are append-only: ' +
      'no endpoint changes or deletes one',
  })
  async publish(@CurrentPrincipal() user: UserPrincipal, @Query() q: QuarterQuery, @Res({ passthrough: true }) res: FastifyReply) {
    const json = await this.publishing.publish(q.year, q.quarter, user);
    res.status(201).type('application/json; charset=utf-8');
    return json;
  }

  @Get('quarterly/published')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary: 'The published quarters: `{ items: [{ year, quarter, publishedAt, publishedBy, publishedByName }] }`, newest first',
  })
  @ApiOkResponse({ type: PublishedQuartersDto })
  published() {
    return this.publishing.list();
  }

  @Get('summary')
  @HeavyRead()
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOkResponse(REPORT_RESPONSE)
  @ApiProblems(400)
  @ApiOperation({ summary: 'The quarterly report over any inclusive range of Shanghai days (previousQuarter is null)' })
  async summary(@CurrentPrincipal() user: UserPrincipal, @Query() q: SummaryQuery, @Res({ passthrough: true }) res: FastifyReply) {
    const report = await this.reports.summary(user, q.from, q.to, q.unitCode);
    return send(res, report, q.format, `report-${q.from}-${q.to}`);
  }

  @Post('rebuild')
  @HeavyRead()
  @HttpCode(200)
  @Auth('admin')
  @ApiOperation({
    summary: "Recompute every rollup from statistics' own facts (what its consumers stored from the events), through the same rules",
  })
  @ApiOkResponse({ type: RebuildResultDto })
  rebuild() {
    return this.rebuilder.rebuild();
  }
}
