import { JwtService } from '@nestjs/jwt';
import type { Role } from '#libs/auth';
import { signedHeaders } from '#libs/auth';
import { TEST_JWT_SECRET } from './test-env.js';

export function bearer(
  role: Role,
  unitCode?: string,
  options: { secret?: string; expiresIn?: number; sub?: string; name?: string } = {},
): string {
  const jwt = new JwtService({ secret: options.secret ?? TEST_JWT_SECRET });
  const token = jwt.sign(
    { sub: options.sub ?? `${role}-user`, role, ...(unitCode ? { unitCode } : {}), ...(options.name ? { name: options.name } : {}) },
    { expiresIn: options.expiresIn ?? 3600, algorithm: 'HS256' },
  );
  return `Bearer ${token}`;
}

export interface Credential {
  id: string;
  secret: string;
}

/** Headers of a device-signed request for `body` (already serialized). */
export function deviceHeaders(device: Credential, method: string, path: string, body: string, now?: number): Record<string, string> {
  return signedHeaders('X-Device-Id', device.id, device.secret, method, path, body, now);
}

export function clientHeaders(client: Credential, method: string, path: string, body: string, now?: number): Record<string, string> {
  return signedHeaders('X-Client-Id', client.id, client.secret, method, path, body, now);
}
