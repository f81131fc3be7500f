import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Env, ENV } from '#libs/common';
import { serviceDataSourceOptions, type ServiceSchema } from './data-source-options.js';
import { migrateServiceSchema, PendingMigrationsError, requireMigratedSchema } from './migrate.js';

/**
 * The service's TypeORM connection: its own schema, migrated on start-up — or, with
 * MIGRATE_ON_START=false (migrations run as a release Job), checked to be migrated.
 */
@Module({})
export class DatabaseModule {
  static forService(service: ServiceSchema): DynamicModule {
    let migrateOnStart = true;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ENV],
          useFactory: (env: Env) => {
            migrateOnStart = env.MIGRATE_ON_START === 'true';
            // A database that is not reachable yet is retried; one whose schema is behind is not (it needs the Job).
            return {
              ...serviceDataSourceOptions(service, env.DATABASE_URL, env.DB_POOL_SIZE),
              toRetry: (error: unknown) => !(error instanceof PendingMigrationsError),
            };
          },
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            try {
              if (migrateOnStart) await migrateServiceSchema(dataSource, service.schema);
              else await requireMigratedSchema(dataSource, service.schema);
            } catch (error) {
              await dataSource.destroy();
              throw error;
            }
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
