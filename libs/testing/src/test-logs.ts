import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { destination, pino } from 'pino';

/** Where a jest worker's logs go: the services' pino lines and Nest's static logger alike. */
export function testLogFile(): string {
  return (process.env.LOG_FILE ??= join(process.cwd(), '.data', 'test-logs', `worker-${process.env.JEST_WORKER_ID ?? '0'}.log`));
}

/**
 * Nest's static logger for code under test outside a service's pino logger (a repository or
 * writer driven directly, TypeORM's query errors): JSON lines in the worker's log file, so a
 * passing run prints nothing. A test that expects an error spies on the logger and asserts it.
 */
export class TestFileLogger implements LoggerService {
  private readonly out = pino({ base: { name: 'test' } }, destination({ dest: testLogFile(), mkdir: true, sync: false }));

  log(message: unknown, ...params: unknown[]): void {
    this.out.info({ message, params });
  }
  error(message: unknown, ...params: unknown[]): void {
    this.out.error({ message, params });
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.out.warn({ message, params });
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.out.debug({ message, params });
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.out.trace({ message, params });
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.out.fatal({ message, params });
  }
}
