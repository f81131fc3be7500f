import type { ServiceSchema } from '#libs/database';
import { MESSAGING_ENTITIES } from '#libs/messaging';
import { InitialStatisticsSchema1732406400000 } from './migrations/1732406400000-InitialStatisticsSchema.js';
import { ReviewFactEntity, ReviewRollupEntity, StatisticsUnitEntity } from './rollups/rollup.entities.js';

export const STATISTICS_SCHEMA: ServiceSchema = {
  schema: 'statistics',
  entities: [ReviewFactEntity, ReviewRollupEntity, StatisticsUnitEntity, ...MESSAGING_ENTITIES],
  migrations: [InitialStatisticsSchema1732406400000],
};
