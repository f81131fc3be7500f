import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import { DataCipher } from '#libs/common';
import { CredentialResolver } from './credential-resolver.js';
import type { DeviceEntity, HotlineClientEntity } from './registry.entities.js';

const DEVICE_ID = '6f1d3a52-8a4e-4c1e-9b7e-2f0a5c4d3b21';

/** The credential resolver over an in-memory device table that counts its lookups. */
function registry() {
  const cipher = new DataCipher(randomBytes(32).toString('hex'));
  const device = { id: DEVICE_ID, unitCode: 'CN-01', windowNo: 'A01', secretSealed: cipher.seal('s3cret'), revokedAt: null as Date | null };
  let lookups = 0;
  const devices = {
    // The resolver's one statement, answered from the row above by its id parameter.
    query: async (_sql: string, [id]: [string]) => {
      lookups += 1;
      await new Promise((r) => setTimeout(r, 5));
      if (id !== DEVICE_ID) return [];
      const { unitCode, windowNo, secretSealed, revokedAt } = device;
      return [{ id, unit_code: unitCode, window_no: windowNo, secret_sealed: secretSealed, revoked: revokedAt !== null }];
    },
  } as unknown as Repository<DeviceEntity>;
  const service = new CredentialResolver(devices, {} as Repository<HotlineClientEntity>, cipher);
  return { service, device, lookups: () => lookups };
}

describe('CredentialResolver cache', () => {
  it('looks a credential up once for concurrent and repeated requests', async () => {
    const { service, lookups } = registry();
    const resolved = await Promise.all([1, 2, 3].map(() => service.resolve('device', DEVICE_ID)));
    expect(resolved.map((c) => c?.secret)).toEqual(['s3cret', 's3cret', 's3cret']);
    expect(await service.resolve('device', DEVICE_ID)).toMatchObject({ revoked: false });
    expect(lookups()).toBe(1);
  });

  it('after its TTL serves the known credential while one shared lookup refreshes it, then the refreshed one', async () => {
    const { service, device, lookups } = registry();
    await service.resolve('device', DEVICE_ID);
    device.revokedAt = new Date(); // revoked by another instance
    await new Promise((r) => setTimeout(r, 4_100));
    const [first, second] = await Promise.all([service.resolve('device', DEVICE_ID), service.resolve('device', DEVICE_ID)]);
    expect([first?.revoked, second?.revoked]).toEqual([false, false]);
    await new Promise((r) => setTimeout(r, 20));
    expect(await service.resolve('device', DEVICE_ID)).toMatchObject({ revoked: true });
    expect(lookups()).toBe(2);
  });

  it('resolves unknown and malformed ids to null, looking up only well-formed ones', async () => {
    const { service, lookups } = registry();
    expect(await service.resolve('device', 'not-a-uuid')).toBeNull();
    expect(await service.resolve('device', '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(lookups()).toBe(1);
  });
});
