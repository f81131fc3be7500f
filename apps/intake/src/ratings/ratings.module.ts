import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { RatingsController } from './ratings.controller.js';
import { RatingsService } from './ratings.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [RatingsController],
  providers: [RatingsService],
})
export class RatingsModule {}
