import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { Clock, DataCipher, type Env, ENV, loggerParams, MetricsModule } from '#libs/common';
import { AuthModule } from '#libs/auth';
import { DatabaseModule, type ServiceSchema } from '#libs/database';
import { MessagingModule } from '#libs/messaging';
import { EnvModule } from './env.module.js';
import { HealthController } from './health.controller.js';
import { HealthWarnings } from './health-warnings.js';
import { ShutdownDrain } from './shutdown-drain.js';

export interface ServiceDefinition extends ServiceSchema {
  /** intake | rectification | statistics */
  service: string;
}

/**
 * Everything a service shares with the others: validated config, pino logs with
 * request ids, metrics, its database schema, outbox/inbox messaging, auth and
 * `/health`. Each app's root module imports this once.
 */
@Module({})
export class ServicePlatformModule {
  static forService(definition: ServiceDefinition): DynamicModule {
    return {
      module: ServicePlatformModule,
      global: true,
      imports: [
        EnvModule,
        LoggerModule.forRootAsync({
          inject: [ENV],
          useFactory: (env: Env) => loggerParams(definition.service, env.LOG_LEVEL, env.LOG_FILE),
        }),
        MetricsModule,
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        DatabaseModule.forService(definition),
        MessagingModule.forService({ service: definition.service, schema: definition.schema }),
        AuthModule,
      ],
      controllers: [HealthController],
      providers: [
        HealthWarnings,
        ShutdownDrain,
        Clock,
        { provide: DataCipher, inject: [ENV], useFactory: (env: Env) => new DataCipher(env.DATA_ENCRYPTION_KEY) },
      ],
      exports: [MetricsModule, MessagingModule, DatabaseModule, DataCipher, HealthWarnings, Clock],
    };
  }
}
