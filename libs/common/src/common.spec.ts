import * as luxon from 'luxon';
import { randomBytes } from 'node:crypto';
import type { ValidationError } from '@nestjs/common';
import { EnvError, loadEnv } from './config.js';
import { DomainError, ErrorCode } from './domain-error.js';
import { DataCipher, maskName, maskPhone, sealContact } from './personal-data.js';
import { problemFrom } from './problem-details.js';
import { quarterLabel, quarterOf, quarterRange, shanghaiDate } from './time.js';
import { ParseIdPipe, ParseYearPipe } from './bounds.js';
import { firstDuplicateKey } from './strict-json.js';
import { unstorableTextErrors } from './text-guard.js';
import { flattenValidationErrors } from './validation.js';

const key = randomBytes(32).toString('hex');
const validEnv = { DATABASE_URL: 'postgres://u@h/db', JWT_SECRET: 'x'.repeat(32), DATA_ENCRYPTION_KEY: key };

describe('configuration', () => {
  it('applies defaults and converts numbers', () => {
    const env = loadEnv({ ...validEnv, INTAKE_PORT: '4001' });
    expect(env).toMatchObject({
      INTAKE_PORT: 4001,
      RECTIFICATION_PORT: 3002,
      STATISTICS_PORT: 3003,
      LOG_LEVEL: 'info',
      OUTBOX_POLL_MS: 50,
    });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadEnv({ DATABASE_URL: 'mysql://x', JWT_SECRET: 'short', DATA_ENCRYPTION_KEY: 'nope', INTAKE_PORT: '70000', KAFKA_BROKERS: 'a b' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const names = (error as EnvError).problems.map((p) => p.split(' ')[0]).sort();
    expect(names).toEqual(['DATABASE_URL', 'DATA_ENCRYPTION_KEY', 'INTAKE_PORT', 'JWT_SECRET', 'KAFKA_BROKERS']);
  });

  it('validates the intake tuning variables too', () => {
    expect(loadEnv({ ...validEnv, INTAKE_DEVICE_RATE: '0.05', INTAKE_WORKERS: '2' })).toMatchObject({
      INTAKE_DEVICE_RATE: 0.05,
      INTAKE_WORKERS: 2,
    });
    expect(() => loadEnv({ ...validEnv, INTAKE_WRITE_LANES: '0' })).toThrow(/INTAKE_WRITE_LANES/);
    expect(() => loadEnv({ ...validEnv, INTAKE_CLIENT_BURST: 'lots' })).toThrow(/INTAKE_CLIENT_BURST/);
  });

  it('validates the rating age bound: 30 days by default, a whole number of days from 1', () => {
    expect(loadEnv(validEnv).RATING_MAX_AGE_DAYS).toBe(30);
    expect(loadEnv({ ...validEnv, RATING_MAX_AGE_DAYS: '7' }).RATING_MAX_AGE_DAYS).toBe(7);
    for (const bad of ['0', '-3', '2.5', 'month', '4000'])
      expect(() => loadEnv({ ...validEnv, RATING_MAX_AGE_DAYS: bad })).toThrow(/RATING_MAX_AGE_DAYS/);
  });

  it('accepts a JWT public key instead of a secret', () => {
    const { JWT_SECRET: _unused, ...rest } = validEnv;
    expect(loadEnv({ ...rest, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }).JWT_PUBLIC_KEY).toContain('PUBLIC KEY');
    expect(() => loadEnv(rest)).toThrow(/JWT_SECRET/);
  });
});

describe('personal data', () => {
  it('masks phones and names', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone(null)).toBeNull();
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
  });

  it('seals with AES-256-GCM: random IV, tamper-evident, round-trips', () => {
    const cipher = new DataCipher(key);
    const a = cipher.seal('13800138000');
    expect(a).not.toBe(cipher.seal('13800138000'));
    expect(a).not.toContain('13800138000');
    expect(cipher.open(a)).toBe('13800138000');
    const tampered = Buffer.from(a, 'base64url');
    tampered[tampered.length - 1] ^= 1;
    expect(() => cipher.open(tampered.toString('base64url'))).toThrow();
    expect(() => new DataCipher(key).open(new DataCipher(randomBytes(32).toString('hex')).seal('x'))).toThrow();
  });

  it('seals a contact into masked fields plus ciphertext', () => {
    const cipher = new DataCipher(key);
    const sealed = sealContact(cipher, { name: '李四', phone: '13900139000' });
    expect(sealed).toMatchObject({ maskedName: '李*', maskedPhone: '139****9000' });
    expect(cipher.openJson(sealed.sealed!)).toEqual({ name: '李四', phone: '13900139000' });
    expect(sealContact(cipher, undefined)).toEqual({ maskedName: null, maskedPhone: null, sealed: null });
  });
});

describe('problem details', () => {
  it('renders a domain error as RFC 9457 with the contract code and status', () => {
    const problem = problemFrom(DomainError.validation([{ field: 'level', message: 'must not be greater than 5' }]), '/api/v1/ratings');
    expect(problem).toEqual({
      type: expect.stringMatching(/validation-failed$/),
      title: 'Request validation failed',
      status: 400,
      detail: 'One or more fields are invalid.',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'level', message: 'must not be greater than 5' }],
      instance: '/api/v1/ratings',
    });
    expect(problemFrom(new DomainError(ErrorCode.AlreadyRated, 'x')).status).toBe(409);
    expect(problemFrom(new DomainError(ErrorCode.RateLimited, 'x')).status).toBe(429);
  });

  it('flattens nested validation errors to one entry per field', () => {
    const errors = [
      {
        property: 'level',
        constraints: { max: 'level must not be greater than 5', isInt: 'level must be an integer number' },
        children: [],
      },
      {
        property: 'reviewer',
        children: [{ property: 'phone', constraints: { matches: 'phone must be a valid mainland mobile number' }, children: [] }],
      },
    ] as unknown as ValidationError[];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'level', message: 'must not be greater than 5; must be an integer number' },
      { field: 'reviewer.phone', message: 'must be a valid mainland mobile number' },
    ]);
  });

  it('names a field that is wrong in itself alone, not with what its parts then lack', () => {
    const errors = [
      {
        property: 'days',
        constraints: { isArray: 'days must be an array' },
        children: [{ property: 'date', constraints: { matches: 'date must be a YYYY-MM-DD date' }, children: [] }],
      },
    ] as unknown as ValidationError[];
    expect(flattenValidationErrors(errors)).toEqual([{ field: 'days', message: 'must be an array' }]);
  });
});

describe('path parameters', () => {
  const param = (data: string) => ({ type: 'param' as const, data });
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      return (err as DomainError).errors;
    }
    throw new Error('not refused');
  };

  it('takes a uuid, and names the parameter of anything else', () => {
    const id = '0b6f7a52-54c1-4b8a-9d43-2f0f5b6c1a00';
    expect(new ParseIdPipe().transform(id, param('caseId'))).toBe(id);
    for (const bad of ['not-a-uuid', '', `${id}x`]) {
      expect(refusal(() => new ParseIdPipe().transform(bad, param('caseId')))).toEqual([{ field: 'caseId', message: 'must be a UUID' }]);
    }
  });

  it('takes a whole year from 2000 to 2100, also as the validation pipe hands it over (a Number, NaN for text)', () => {
    expect(new ParseYearPipe().transform('2027')).toBe(2027);
    expect(new ParseYearPipe().transform(2027 as unknown as string)).toBe(2027);
    for (const bad of ['abc', NaN, 2027.5, '1999', 2101]) {
      expect(refusal(() => new ParseYearPipe().transform(bad as string))).toEqual([
        { field: 'year', message: 'must be a decimal year from 2000 to 2100' },
      ]);
    }
  });
});

describe('field paths', () => {
  it('name array items as the validation does: ratings.1.level', () => {
    expect(firstDuplicateKey('{"ratings":[{"level":1},{"level":2,"level":5}]}')).toBe('ratings.1.level');
    expect(unstorableTextErrors({ ratings: [{ comment: 'ok' }, { tags: ['a', 'b\u0000'] }] }).map((e) => e.field)).toEqual([
      'ratings.1.tags.1',
    ]);
  });
});

describe('Asia/Shanghai calendar quarters', () => {
  it('puts an instant in the quarter of its Shanghai date', () => {
    expect(quarterLabel(quarterOf('2024-03-31T23:30:00+08:00'))).toBe('2024-Q1');
    expect(quarterLabel(quarterOf('2024-03-31T16:30:00Z'))).toBe('2024-Q2');
    expect(shanghaiDate(new Date('2024-12-31T16:00:00Z'))).toBe('2025-01-01');
    // The arithmetic fast path agrees with the zone database (luxon) across offsets, DST-era dates and odd forms.
    const { DateTime } = luxon;
    for (const s of [
      '2024-12-31T15:59:59.999Z',
      '2024-12-31T16:00:00Z',
      '2024-11-20T23:30:00+08:00',
      '2024-11-20T00:30:00-05:00',
      '2024-03-01T00:00+14:00',
      '1991-06-01T15:30:00Z',
      '1988-04-17T15:30:00Z',
      '2024-11-20',
      '2024-11-20T09:30:00.123456+08:00',
    ]) {
      expect(shanghaiDate(s)).toBe(DateTime.fromISO(s, { setZone: true }).setZone('Asia/Shanghai').toISODate());
    }
  });

  it('gives inclusive quarter ranges', () => {
    expect(quarterRange({ year: 2024, quarter: 1 })).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(quarterRange({ year: 2024, quarter: 4 })).toEqual({ from: '2024-10-01', to: '2024-12-31' });
  });
});
