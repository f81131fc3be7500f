import { Module } from '@nestjs/common';
import { BodyLimitGuard, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RegistryModule } from '../registry/registry.module.js';
import { RatingWriter } from './rating-writer.js';
import { RatingsController } from './ratings.controller.js';
import { RatingsRepository } from './ratings.repository.js';
import { RatingsService } from './ratings.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [RatingsController],
  providers: [RatingsService, RatingsRepository, RatingWriter, RateLimitGuard, BodyLimitGuard],
})
export class RatingsModule {}
