import { randomBytes } from 'node:crypto';
import { DataCipher } from '#libs/common';
import type { CreateRatingDto } from './dto/create-rating.dto.js';
import { bodyHash } from './rating-rules.js';
import { platformBurstKey, ratingFields } from './rating-row.js';

const cipher = new DataCipher(randomBytes(32).toString('hex'));
const body = { serviceRecordId: 'SR-1', serviceItemCode: 'X-1', level: 4, ratedAt: '2026-12-01T09:00:00+08:00' } as CreateRatingDto;
const at = new Date('2026-12-01T01:00:05Z');

describe('ratingFields: one matter, one stage, whatever the channel', () => {
  it('hashes a PAD body as it always did (the canonical body itself) and takes COMPLETION as the default stage', () => {
    const fields = ratingFields(cipher, body, at);
    expect(fields.bodyHash).toBe(bodyHash(body));
    expect(fields.stage).toBe('COMPLETION');
  });

  it('leaves unitCode, stage and channel out of the hash: the same rating from another channel hashes alike', () => {
    const online = ratingFields(cipher, { ...body, unitCode: 'CN-01', stage: 'COMPLETION' } as CreateRatingDto, at);
    const imported = ratingFields(cipher, { ...body, channel: 'QR', stage: 'ACCEPTANCE' } as CreateRatingDto, at);
    expect(online.bodyHash).toBe(bodyHash(body));
    expect(imported.bodyHash).toBe(bodyHash(body));
    expect(imported.stage).toBe('ACCEPTANCE');
    expect(ratingFields(cipher, { ...body, level: 1 } as CreateRatingDto, at).bodyHash).not.toBe(bodyHash(body));
  });
});

describe('platformBurstKey', () => {
  const client = '0f8e6a3c-1d2b-4c5e-9f70-8a1b2c3d4e5f';

  it('is one stable UUID per (client, unit)', () => {
    expect(platformBurstKey(client, 'CN-01')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(platformBurstKey(client, 'CN-01')).toBe(platformBurstKey(client, 'CN-01'));
    expect(platformBurstKey(client, 'CN-02')).not.toBe(platformBurstKey(client, 'CN-01'));
    expect(platformBurstKey('1f8e6a3c-1d2b-4c5e-9f70-8a1b2c3d4e5f', 'CN-01')).not.toBe(platformBurstKey(client, 'CN-01'));
  });

  it('never equals a client id or unit code itself (no collision with a device id used as a PAD key)', () => {
    expect(platformBurstKey(client, 'CN-01')).not.toBe(client);
  });
});
