import { Module } from '@nestjs/common';
import { ServicePlatformModule } from '#libs/platform';
import { AccountsModule } from './accounts/accounts.module.js';
import { ConsoleModule } from './console/console.module.js';
import { INTAKE_SCHEMA } from './data-source.js';
import { HotlineModule } from './hotline/hotline.module.js';
import { servePadPage } from './pad/pad-assets.js';
import { PadModule } from './pad/pad.module.js';
import { PairingModule } from './pairing/pairing.module.js';
import { PromptsModule } from './prompts/prompts.module.js';
import { IMPORT_BODY_LIMIT, IMPORT_ROUTE } from './imports/imports.controller.js';
import { ImportsModule } from './imports/imports.module.js';
import { OnlineModule } from './online/online.module.js';
import { RatingsModule } from './ratings/ratings.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { ReplayModule } from './replay/replay.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { UnresolvedModule } from './unresolved/unresolved.module.js';

@Module({
  imports: [
    ServicePlatformModule.forService({ service: 'intake', ...INTAKE_SCHEMA }),
    RegistryModule,
    RatingsModule,
    ImportsModule,
    OnlineModule,
    HotlineModule,
    UnresolvedModule,
    PairingModule,
    PromptsModule,
    PadModule,
    AccountsModule,
    ConsoleModule,
    RetentionModule,
    ReplayModule,
  ],
})
export class IntakeModule {}

export const INTAKE_APP = {
  service: 'intake',
  title: '好差评 intake service',
  description: 'PAD ratings, offline batches, 12345 complaints, 办不成事 reports, and the unit/device registry.',
  consumesEvents: true,
  configure: servePadPage,
  routeBodyLimits: { [IMPORT_ROUTE]: IMPORT_BODY_LIMIT },
} as const;
