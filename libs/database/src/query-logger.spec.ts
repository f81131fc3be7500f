import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { QueryErrorLogger } from './query-logger.js';

describe('QueryErrorLogger', () => {
  it('logs a failed query with its SQL and error but never its parameters', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const failure = new Error('null value in column "grade" violates not-null constraint');
      const logger: TypeOrmLogger = new QueryErrorLogger(); // called as TypeORM calls it, parameters included
      logger.logQueryError(failure, 'SELECT * FROM write_pad_ratings($1::json)', ['[{"comment":"call me on 13800138000"}]']);
      expect(error).toHaveBeenCalledTimes(1);
      expect(error.mock.calls[0]).toEqual([{ err: failure, query: 'SELECT * FROM write_pad_ratings($1::json)' }, 'query failed']);
      expect(JSON.stringify(error.mock.calls)).not.toContain('13800138000');
    } finally {
      error.mockRestore();
    }
  });
});
