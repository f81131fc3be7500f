// Shared by the benchmark and the traffic simulator: signing (API.md § Authentication),
// admin JWTs, registry set-up. Plain ESM JavaScript so it runs with node, no build step.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** The node flags a service runs with: those of its `npm run start:<service>` script (package.json), one source for all. */
export function serviceNodeFlags(service) {
  const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return scripts[`start:${service}`].split(' ').filter((arg) => arg.startsWith('--'));
}

export function sha256Hex(body) {
  return createHash('sha256').update(body).digest('hex');
}

/** Headers of an HMAC-signed request (devices: X-Device-Id, hotline clients: X-Client-Id). */
export function signed(idHeader, id, secret, method, path, body, now = Date.now()) {
  const timestamp = String(now);
  const canonical = `${method}\n${path}\n${timestamp}\n${sha256Hex(body)}`;
  return {
    [idHeader]: id,
    'x-timestamp': timestamp,
    'x-signature': `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`,
    'content-type': 'application/json',
  };
}

/** An HS256 JWT for the given role (the services share JWT_SECRET). */
export function jwt(secret, role, unitCode) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const claims = b64({ sub: `${role}-tool`, role, ...(unitCode ? { unitCode } : {}), iat: now, exp: now + 24 * 3600 });
  const sig = createHmac('sha256', secret).update(`${head}.${claims}`).digest('base64url');
  return `${head}.${claims}.${sig}`;
}

export async function call(baseUrl, method, path, { token, headers = {}, body } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

/** Creates units (ignoring "already exists"), `devicesPerUnit` PADs per unit and one hotline client. */
export async function setUpFleet(baseUrl, jwtSecret, { units, devicesPerUnit }) {
  const admin = jwt(jwtSecret, 'admin');
  const devices = [];
  for (const unit of units) {
    const created = await call(baseUrl, 'POST', '/api/v1/units', { token: admin, body: unit });
    if (created.status !== 201 && created.status !== 409)
      throw new Error(`unit ${unit.code}: ${created.status} ${JSON.stringify(created.body)}`);
    for (let w = 1; w <= devicesPerUnit; w++) {
      const d = await call(baseUrl, 'POST', '/api/v1/devices', {
        token: admin,
        body: { unitCode: unit.code, windowNo: `W${String(w).padStart(2, '0')}` },
      });
      if (d.status !== 201) throw new Error(`device: ${d.status} ${JSON.stringify(d.body)}`);
      devices.push({ id: d.body.deviceId, secret: d.body.secret, unitCode: unit.code, windowNo: d.body.windowNo });
    }
  }
  const c = await call(baseUrl, 'POST', '/api/v1/hotline-clients', { token: admin, body: { name: '区12345热线（模拟）' } });
  if (c.status !== 201) throw new Error(`hotline client: ${c.status}`);
  return { devices, hotline: { id: c.body.clientId, secret: c.body.secret } };
}

export async function waitForHealth(baseUrl, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${baseUrl}/health did not answer 200 within ${timeoutMs} ms`);
}

export const UNITS = [
  { code: 'SIM-01', name: '区市场监督管理局' },
  { code: 'SIM-02', name: '区人力资源和社会保障局' },
  { code: 'SIM-03', name: '区税务局' },
  { code: 'SIM-04', name: '区公安分局出入境管理处' },
];

/** Creates an empty database `<prefix>_<time>` on the server of `baseDbUrl`; returns its name and URL. */
export async function freshDatabase(baseDbUrl, prefix) {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: baseDbUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(baseDbUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}
