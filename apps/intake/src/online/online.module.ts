import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { BodyLimitGuard, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RatingsModule } from '../ratings/ratings.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { OnlineController } from './online.controller.js';
import { PlatformClientsController } from './platform-clients.controller.js';

/** The online platform: its signed clients (registered by admins) and the ratings it pushes. */
@Module({
  imports: [RegistryModule, AccountsModule, RatingsModule],
  controllers: [PlatformClientsController, OnlineController],
  providers: [RateLimitGuard, BodyLimitGuard],
})
export class OnlineModule {}
