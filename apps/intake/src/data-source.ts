import type { ServiceSchema } from '#libs/database';
import { MESSAGING_ENTITIES } from '#libs/messaging';
import { AuditEntryEntity, RefreshTokenEntity, UserEntity } from './accounts/accounts.entities.js';
import { InitialIntakeSchema1732406400000 } from './migrations/1732406400000-InitialIntakeSchema.js';
import { IntakeComplete1732492800000 } from './migrations/1732492800000-IntakeComplete.js';
import { WritePadRatingsFunction1732579200000 } from './migrations/1732579200000-WritePadRatingsFunction.js';
import { HotlineTicketsPerClient1733200100000 } from './migrations/1733200100000-HotlineTicketsPerClient.js';
import { ImportedRatings1733200200000 } from './migrations/1733200200000-ImportedRatings.js';
import { UnitRegisteredBackfill1733200400000 } from './migrations/1733200400000-UnitRegisteredBackfill.js';
import { WriteImportedRatingsFunction1733200500000 } from './migrations/1733200500000-WriteImportedRatingsFunction.js';
import { ArrivalBurstCheck1733300000000 } from './migrations/1733300000000-ArrivalBurstCheck.js';
import { DevicePairingPromptsHeartbeat1733400000000 } from './migrations/1733400000000-DevicePairingPromptsHeartbeat.js';
import { PairingCodeEntity } from './pairing/pairing-code.entity.js';
import { PromptEntity } from './prompts/prompt.entity.js';
import { Accounts1733600000000 } from './migrations/1733600000000-Accounts.js';
import { SuspectConfirmed1733700000000 } from './migrations/1733700000000-SuspectConfirmed.js';
import { RejectedUploads1734300000000 } from './migrations/1734300000000-RejectedUploads.js';
import { InboxRetentionIndex1734500000000 } from './migrations/1734500000000-InboxRetentionIndex.js';
import { ChannelsAndStages1734600000000 } from './migrations/1734600000000-ChannelsAndStages.js';
import { SignedClientChannels1734600000100 } from './migrations/1734600000100-SignedClientChannels.js';
import { AuditSummaries1734900000000 } from './migrations/1734900000000-AuditSummaries.js';
import { UnitDisabling1735300000000 } from './migrations/1735300000000-UnitDisabling.js';
import { LimitDecisionsInTheWrite1735500000000 } from './migrations/1735500000000-LimitDecisionsInTheWrite.js';
import { SharedLimitsAndSessions1734100000000 } from './migrations/1734100000000-SharedLimitsAndSessions.js';
import { RateLimitsUnlogged1734100000200 } from './migrations/1734100000200-RateLimitsUnlogged.js';
import { PadStreams1734200000000 } from './migrations/1734200000000-PadStreams.js';
import { ImportHandling1734200100000 } from './migrations/1734200100000-ImportHandling.js';
import { WriteImportedRatingsHandling1734200200000 } from './migrations/1734200200000-WriteImportedRatingsHandling.js';
import { ContactErasure1734200400000 } from './migrations/1734200400000-ContactErasure.js';
import { ScheduledTicks1734500000005 } from './migrations/1734500000005-ScheduledTicks.js';
import { WriteImportedRatingsChannelsHandling1734600000200 } from './migrations/1734600000200-WriteImportedRatingsChannelsHandling.js';
import { ReviewEntity } from './ratings/review.entity.js';
import { DeviceEntity, HotlineClientEntity, UnitEntity } from './registry/registry.entities.js';
import { UnresolvedReportEntity } from './unresolved/unresolved-report.entity.js';

/** intake's schema, entities and migrations: used by the Nest module and the TypeORM CLI (data-source.cli.ts). */
export const INTAKE_SCHEMA: ServiceSchema = {
  schema: 'intake',
  entities: [
    UnitEntity,
    DeviceEntity,
    HotlineClientEntity,
    ReviewEntity,
    UnresolvedReportEntity,
    PairingCodeEntity,
    PromptEntity,
    UserEntity,
    RefreshTokenEntity,
    AuditEntryEntity,
    ...MESSAGING_ENTITIES,
  ],
  migrations: [
    InitialIntakeSchema1732406400000,
    IntakeComplete1732492800000,
    WritePadRatingsFunction1732579200000,
    HotlineTicketsPerClient1733200100000,
    ImportedRatings1733200200000,
    UnitRegisteredBackfill1733200400000,
    WriteImportedRatingsFunction1733200500000,
    ArrivalBurstCheck1733300000000,
    DevicePairingPromptsHeartbeat1733400000000,
    Accounts1733600000000,
    SuspectConfirmed1733700000000,
    SharedLimitsAndSessions1734100000000,
    RateLimitsUnlogged1734100000200,
    PadStreams1734200000000,
    ImportHandling1734200100000,
    WriteImportedRatingsHandling1734200200000,
    ContactErasure1734200400000,
    RejectedUploads1734300000000,
    InboxRetentionIndex1734500000000,
    ScheduledTicks1734500000005,
    ChannelsAndStages1734600000000,
    SignedClientChannels1734600000100,
    WriteImportedRatingsChannelsHandling1734600000200,
    AuditSummaries1734900000000,
    UnitDisabling1735300000000,
    LimitDecisionsInTheWrite1735500000000,
  ],
};
