import { runService } from '#libs/platform';
import { RECTIFICATION_APP, RectificationModule } from './rectification.module.js';

await runService(RectificationModule, RECTIFICATION_APP, (env) => env.RECTIFICATION_PORT);
