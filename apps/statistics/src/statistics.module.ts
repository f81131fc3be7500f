import { Module } from '@nestjs/common';
import { ServicePlatformModule } from '#libs/platform';
import { AnalysisFactsConsumer } from './analysis/analysis-facts.consumer.js';
import { AnalysisFactsService } from './analysis/analysis-facts.service.js';
import { AnalysisController } from './analysis/analysis.controller.js';
import { HotspotsRepository } from './analysis/hotspots.repository.js';
import { HotspotsService } from './analysis/hotspots.service.js';
import { BulletinAccessGuard } from './bulletin-links/bulletin-access.guard.js';
import { BulletinLinksService } from './bulletin-links/bulletin-links.service.js';
import { STATISTICS_SCHEMA } from './data-source.js';
import { PublicCasesConsumer } from './public/public-cases.consumer.js';
import { servePublicPages } from './public/public-pages.js';
import { PublicController } from './public/public.controller.js';
import { PublicRepository } from './public/public.repository.js';
import { PublicService } from './public/public.service.js';
import { PublishingService } from './publishing/publishing.service.js';
import { ReportsController } from './reports/reports.controller.js';
import { ReportsRepository } from './reports/reports.repository.js';
import { ReportsService } from './reports/reports.service.js';
import { RebuildService } from './rollups/rebuild.service.js';
import { RollupsConsumer } from './rollups/rollups.consumer.js';
import { RollupsService } from './rollups/rollups.service.js';
import { RollupsRepository } from './rollups/rollups.repository.js';

@Module({
  imports: [ServicePlatformModule.forService({ service: 'statistics', ...STATISTICS_SCHEMA })],
  controllers: [ReportsController, RollupsConsumer, PublicController, PublicCasesConsumer, AnalysisController, AnalysisFactsConsumer],
  providers: [
    ReportsService,
    PublishingService,
    BulletinLinksService,
    BulletinAccessGuard,
    ReportsRepository,
    RollupsService,
    RollupsRepository,
    RebuildService,
    PublicService,
    PublicRepository,
    HotspotsService,
    HotspotsRepository,
    AnalysisFactsService,
  ],
})
export class StatisticsModule {}

export const STATISTICS_APP = {
  service: 'statistics',
  title: '好差评 statistics service',
  description: 'Rollups maintained from events; quarterly reports, rankings, exports and the printable bulletin.',
  consumesEvents: true,
  configure: servePublicPages,
} as const;
