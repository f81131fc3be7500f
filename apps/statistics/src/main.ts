import { runService } from '#libs/platform';
import { STATISTICS_APP, StatisticsModule } from './statistics.module.js';

await runService(StatisticsModule, STATISTICS_APP, (env) => env.STATISTICS_PORT);
