import { Module } from '@nestjs/common';
import { ServicePlatformModule } from '#libs/platform';
import { CasesModule } from './cases/cases.module.js';
import { ProblemClassesModule } from './classes/problem-classes.module.js';
import { PublicationModule } from './publication/publication.module.js';
import { RECTIFICATION_SCHEMA } from './data-source.js';
import { ReplayModule } from './replay/replay.module.js';

@Module({
  imports: [
    ServicePlatformModule.forService({ service: 'rectification', ...RECTIFICATION_SCHEMA }),
    CasesModule,
    PublicationModule,
    ProblemClassesModule,
    ReplayModule,
  ],
})
export class RectificationModule {}

export const RECTIFICATION_APP = {
  service: 'rectification',
  title: '好差评 rectification service',
  description: 'Rectification cases (以评促改): the 1、5、15 deadlines, actions, appeals, overdue supervision and hotline replies.',
  consumesEvents: true,
} as const;
