import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's messages in the service's own log. A failed query is logged with its SQL and
 * error, never its parameters: they carry what citizens typed (a comment may hold a phone
 * number) and sealed personal data. Successful queries are not logged.
 */
export class QueryErrorLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {
    // Every query passes here: deliberately silent.
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.error({ err: error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time, query }, 'slow query');
  }

  logSchemaBuild(): void {
    // Schemas are built by migrations, which log themselves.
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
  }
}
