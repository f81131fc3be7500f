import type { ServiceSchema } from '#libs/database';
import { MESSAGING_ENTITIES } from '#libs/messaging';
import { InitialStatisticsSchema1732406400000 } from './migrations/1732406400000-InitialStatisticsSchema.js';
import { HotlineRollups1733200300000 } from './migrations/1733200300000-HotlineRollups.js';
import { PublishedQuarters1733200000000 } from './migrations/1733200000000-PublishedQuarters.js';
import { PublicCaseExamples1733400000200 } from './migrations/1733400000200-PublicCaseExamples.js';
import { PUBLISHED_ENTITIES } from './publishing/published.entities.js';
import { ProvisionalDeadlineRollups1733500000001 } from './migrations/1733500000001-ProvisionalDeadlineRollups.js';
import { InboxRetentionIndex1734500000002 } from './migrations/1734500000002-InboxRetentionIndex.js';
import { SharedLimits1734500000004 } from './migrations/1734500000004-SharedLimits.js';
import { ReviewFactProblemCategory1734700000001 } from './migrations/1734700000001-ReviewFactProblemCategory.js';
import { AnalysisFacts1735100000100 } from './migrations/1735100000100-AnalysisFacts.js';
import { UnitDisabledOn1735300000100 } from './migrations/1735300000100-UnitDisabledOn.js';
import { PublisherName1735400100000 } from './migrations/1735400100000-PublisherName.js';
import { SharedLimitDecisions1735500000200 } from './migrations/1735500000200-SharedLimitDecisions.js';
import { ROLLUP_ENTITIES } from './rollups/rollup.entities.js';

export const STATISTICS_SCHEMA: ServiceSchema = {
  schema: 'statistics',
  entities: [...ROLLUP_ENTITIES, ...PUBLISHED_ENTITIES, ...MESSAGING_ENTITIES],
  migrations: [
    InitialStatisticsSchema1732406400000,
    PublishedQuarters1733200000000,
    HotlineRollups1733200300000,
    PublicCaseExamples1733400000200,
    ProvisionalDeadlineRollups1733500000001,
    InboxRetentionIndex1734500000002,
    SharedLimits1734500000004,
    ReviewFactProblemCategory1734700000001,
    AnalysisFacts1735100000100,
    UnitDisabledOn1735300000100,
    PublisherName1735400100000,
    SharedLimitDecisions1735500000200,
  ],
};
