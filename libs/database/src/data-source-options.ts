import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { QueryErrorLogger } from './query-logger.js';

export interface ServiceSchema {
  /** The service's own PostgreSQL schema (intake, rectification, statistics). */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * The one description of a service's datasource, used by the Nest module and the
 * TypeORM CLI alike. Connections run with `search_path` set to the service's schema,
 * so its SQL never names another service's tables by accident.
 */
export function serviceDataSourceOptions(service: ServiceSchema, url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    schema: service.schema,
    entities: service.entities,
    migrations: service.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger: new QueryErrorLogger(),
    poolSize,
    extra: {
      options: `-c search_path=${service.schema},public -c timezone=UTC`,
      application_name: `gov-review-${service.schema}`,
    },
  };
}
