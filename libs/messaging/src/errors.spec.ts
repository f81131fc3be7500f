import { isTransient, PoisonEventError } from './errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('transient vs poison failures', () => {
  it.each([
    ['serialization failure', withCode('40001')],
    ['deadlock', withCode('40P01')],
    ['connection failure class 08', withCode('08006')],
    ['admin shutdown', withCode('57P01')],
    ['too many connections', withCode('53300')],
    ['refused socket', withCode('ECONNREFUSED')],
    ['TypeORM wrapped driver error', Object.assign(new Error('query failed'), { driverError: { code: '40P01' } })],
    ['terminated connection', new Error('Connection terminated unexpectedly')],
  ])('retries a %s', (_name, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ['poison event', new PoisonEventError('bad data')],
    ['unique violation', withCode('23505')],
    ['not-null violation', withCode('23502')],
    ['programming error', new TypeError('cannot read properties of undefined')],
    ['non-error value', 'boom'],
  ])('does not retry a %s', (_name, error) => {
    expect(isTransient(error)).toBe(false);
  });
});

describe('transient failures wrapped or aggregated', () => {
  it('sees through a cause and an AggregateError of refused connections', () => {
    expect(isTransient(new Error('write failed', { cause: withCode('57P01') }))).toBe(true);
    expect(isTransient(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'))).toBe(true);
    expect(isTransient(new Error('the database system is starting up'))).toBe(true);
    expect(isTransient(new Error('wrapped', { cause: withCode('23505') }))).toBe(false);
  });
});
