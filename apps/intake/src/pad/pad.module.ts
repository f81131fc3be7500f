import { Module } from '@nestjs/common';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { RegistryModule } from '../registry/registry.module.js';
import { PadController } from './pad.controller.js';

@Module({
  imports: [RegistryModule],
  controllers: [PadController],
  providers: [RateLimitGuard],
})
export class PadModule {}
