import { runService } from '#libs/platform';
import { INTAKE_APP, IntakeModule } from './intake.module.js';

await runService(IntakeModule, INTAKE_APP, (env) => env.INTAKE_PORT);
