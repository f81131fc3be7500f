import { Module } from '@nestjs/common';
import { DeviceOrUserGuard } from '#libs/auth';
import { RegistryModule } from '../registry/registry.module.js';
import { PromptBus } from './prompt-bus.js';
import { PromptsController } from './prompts.controller.js';
import { PromptStreamsRepository } from './prompt-streams.repository.js';
import { PromptsService } from './prompts.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [PromptsController],
  providers: [PromptsService, PromptBus, PromptStreamsRepository, DeviceOrUserGuard],
})
export class PromptsModule {}
