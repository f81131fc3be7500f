import { Inject, Module } from '@nestjs/common';
import { type Env, ENV } from '#libs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { BodyLimitGuard, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RegistryModule } from '../registry/registry.module.js';
import { setRatingMaxAgeDays } from './rated-at.js';
import { RatingWriter } from './rating-writer.js';
import { RatingsController } from './ratings.controller.js';
import { RatingsRepository } from './ratings.repository.js';
import { RatingsService } from './ratings.service.js';
import { RatingViewsRepository } from './rating-views.repository.js';
import { RejectedUploadsRepository } from './rejected-uploads.repository.js';

@Module({
  imports: [RegistryModule, AccountsModule],
  controllers: [RatingsController],
  providers: [
    RatingsService,
    RatingsRepository,
    RatingViewsRepository,
    RejectedUploadsRepository,
    RatingWriter,
    RateLimitGuard,
    BodyLimitGuard,
  ],
  exports: [RatingsService],
})
export class RatingsModule {
  /** The ratedAt age bound comes from the validated configuration (RATING_MAX_AGE_DAYS). */
  constructor(@Inject(ENV) env: Pick<Env, 'RATING_MAX_AGE_DAYS'>) {
    setRatingMaxAgeDays(env.RATING_MAX_AGE_DAYS);
  }
}
