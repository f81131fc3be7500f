import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Env, ENV } from '#libs/common';
import { serviceDataSourceOptions, type ServiceSchema } from './data-source-options.js';
import { migrateServiceSchema } from './migrate.js';

/** The service's TypeORM connection: its own schema, migrated on start-up. */
@Module({})
export class DatabaseModule {
  static forService(service: ServiceSchema): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ENV],
          useFactory: (env: Env) => serviceDataSourceOptions(service, env.DATABASE_URL, env.DB_POOL_SIZE),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await migrateServiceSchema(dataSource, service.schema);
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
