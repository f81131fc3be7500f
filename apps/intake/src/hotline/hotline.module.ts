import { Module } from '@nestjs/common';
import { BodyLimitGuard, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RegistryModule } from '../registry/registry.module.js';
import { HotlineController } from './hotline.controller.js';
import { HotlineService } from './hotline.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [HotlineController],
  providers: [HotlineService, RateLimitGuard, BodyLimitGuard],
})
export class HotlineModule {}
