import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CaseEntity, CaseTimelineEntry } from '../cases/case.entity.js';
import { PublicationController } from './publication.controller.js';
import { PublicationService } from './publication.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CaseEntity, CaseTimelineEntry])],
  controllers: [PublicationController],
  providers: [PublicationService],
})
export class PublicationModule {}
