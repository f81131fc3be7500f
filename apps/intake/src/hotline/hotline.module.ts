import { Module } from '@nestjs/common';
import { BodyLimitGuard, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RegistryModule } from '../registry/registry.module.js';
import { HotlineController } from './hotline.controller.js';
import { HotlineRepository } from './hotline.repository.js';
import { HotlineService } from './hotline.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [HotlineController],
  providers: [HotlineService, HotlineRepository, RateLimitGuard, BodyLimitGuard],
})
export class HotlineModule {}
