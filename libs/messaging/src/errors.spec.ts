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
