import request from 'supertest';
import { bearer, type Credential } from './auth-helpers.js';

/**
 * Registers a unit (unless it exists) and one PAD device of it through intake's admin
 * API, and returns the device's credential — the set-up most intake-facing tests share.
 */
export async function registerDevice(
  intake: Parameters<typeof request>[0],
  unit: { code: string; name?: string },
  windowNo: string,
): Promise<Credential> {
  const admin = bearer('admin');
  const created = await request(intake)
    .post('/api/v1/units')
    .set('Authorization', admin)
    .send({ code: unit.code, name: unit.name ?? `${unit.code} 测试单位` });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`unit ${unit.code}: ${created.status} ${JSON.stringify(created.body)}`);
  const device = await request(intake)
    .post('/api/v1/devices')
    .set('Authorization', admin)
    .send({ unitCode: unit.code, windowNo })
    .expect(201);
  return { id: device.body.deviceId as string, secret: device.body.secret as string };
}
