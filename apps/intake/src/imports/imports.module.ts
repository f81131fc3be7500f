import { Module } from '@nestjs/common';
import { BodyLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RatingsRepository } from '../ratings/ratings.repository.js';
import { RegistryModule } from '../registry/registry.module.js';
import { ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [ImportsController],
  providers: [ImportsService, RatingsRepository, BodyLimitGuard],
})
export class ImportsModule {}
