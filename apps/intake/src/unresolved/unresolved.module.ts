import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { UnresolvedController } from './unresolved.controller.js';
import { UnresolvedService } from './unresolved.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [UnresolvedController],
  providers: [UnresolvedService],
})
export class UnresolvedModule {}
