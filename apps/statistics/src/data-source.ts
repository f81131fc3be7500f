import type { ServiceSchema } from '#libs/database';
import { MESSAGING_ENTITIES } from '#libs/messaging';
import { InitialStatisticsSchema1732406400000 } from './migrations/1732406400000-InitialStatisticsSchema.js';
import { ProvisionalDeadlineRollups1733500000001 } from './migrations/1733500000001-ProvisionalDeadlineRollups.js';
import { ROLLUP_ENTITIES } from './rollups/rollup.entities.js';

export const STATISTICS_SCHEMA: ServiceSchema = {
  schema: 'statistics',
  entities: [...ROLLUP_ENTITIES, ...MESSAGING_ENTITIES],
  migrations: [InitialStatisticsSchema1732406400000, ProvisionalDeadlineRollups1733500000001],
};
