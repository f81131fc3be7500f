import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  TEST_JWT_SECRET,
  type TestDatabase,
} from '#libs/testing';

/** Sends raw bytes and answers the raw HTTP response (for what supertest/Node clients refuse to send). */
function rawHttp(port: number, payload: string, encoding: BufferEncoding = 'utf8'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload, encoding));
    let out = '';
    socket.on('data', (d) => (out += d.toString('utf8')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('edge hardening: text guard, strict parsing, ranges, framework errors as problem+json, typed tokens', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const http = () => request(app.getHttpServer());
  const count = async (sql: string) => Number((await pg.query(sql)).rows[0].n);
  let seq = 0;
  const rating = (over: Record<string, unknown> = {}) => ({
    serviceRecordId: `EDGE-${++seq}`,
    serviceItemCode: 'X-1',
    level: 5,
    ratedAt: new Date(Date.now() - 3_600_000 + seq * 60_000).toISOString(),
    ...over,
  });
  const signed = (path: string, raw: string, contentType = 'application/json') =>
    http()
      .post(path)
      .set({ ...deviceHeaders(device, 'POST', path, raw), 'Content-Type': contentType })
      .send(raw);
  const expectProblem = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code });
  };

  beforeAll(async () => {
    db = await createTestDatabase('edge_hardening');
    applyTestEnv(db.url);
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '一' }).expect(201);
    const res = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'W1' }).expect(201);
    device = { id: res.body.deviceId, secret: res.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('refuses NUL and lone surrogates in bodies, queries, path parameters and claims with 400 naming the field, storing nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM intake.reviews');
    for (const bad of ['a\u0000b', 'x\ud800', '\udc00y']) {
      const single = await signed('/api/v1/ratings', JSON.stringify(rating({ comment: bad, reviewer: { name: bad } })));
      expectProblem(single, 400, 'VALIDATION_FAILED');
      expect(single.body.errors.map((e: { field: string }) => e.field)).toEqual(['comment', 'reviewer.name']);
    }
    const unit = await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-09', name: '坏\ud800名' });
    expectProblem(unit, 400, 'VALIDATION_FAILED');
    expect(unit.body.errors).toEqual([{ field: 'name', message: 'must not contain lone UTF-16 surrogates' }]);
    expect(await count(`SELECT count(*) AS n FROM intake.units WHERE code = 'CN-09'`)).toBe(0);

    const query = await http().get('/api/v1/ratings?unitCode=%00').set('Authorization', supervisor);
    expectProblem(query, 400, 'VALIDATION_FAILED');
    expect(query.body.errors[0].field).toBe('unitCode');
    const path = await http().get('/api/v1/ratings/%00').set('Authorization', supervisor);
    expectProblem(path, 400, 'VALIDATION_FAILED');
    expect(path.body.errors[0].field).toBe('id');
    const long = await signed('/api/v1/ratings', JSON.stringify(rating({ comment: 'x'.repeat(30_000) })));
    expectProblem(long, 400, 'VALIDATION_FAILED');
    expect(long.body.errors).toEqual([{ field: 'comment', message: 'must be at most 20000 characters' }]);

    const jwt = new JwtService({ secret: TEST_JWT_SECRET });
    const claimsToken = jwt.sign({ sub: 'op\u0000', role: 'supervisor' }, { expiresIn: 60 });
    expectProblem(await http().get('/api/v1/ratings').set('Authorization', `Bearer ${claimsToken}`), 401, 'UNAUTHENTICATED');
    expect(await count('SELECT count(*) AS n FROM intake.reviews')).toBe(before);
  });

  it('a batch rejects an unstorable item on its own (ratings[i] judged alone) and stores the others: 200, never 500', async () => {
    const items = [rating(), rating({ comment: 'nul\u0000' }), rating({ comment: 'half \ud800' }), rating()];
    const raw = JSON.stringify({ ratings: items });
    const res = await signed('/api/v1/ratings/batch', raw).expect(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'rejected', 'rejected', 'created']);
    expect(res.body.results[1].errors).toEqual([{ field: 'comment', message: 'must not contain NUL (\\u0000) characters' }]);
    const stored = await pg.query<{ service_record_id: string }>(
      `SELECT service_record_id FROM intake.reviews WHERE service_record_id = ANY($1) ORDER BY 1`,
      [items.map((i) => i.serviceRecordId)],
    );
    expect(stored.rows.map((r) => r.service_record_id)).toEqual([items[0]!.serviceRecordId, items[3]!.serviceRecordId].sort());
  });

  it('refuses duplicated JSON keys, non-UTF-8 charsets and bodies, and blank identifiers', async () => {
    const body = JSON.stringify(rating({ level: 5 }));
    const dup = body.replace('"level":5', '"level":5,"level":1');
    const dupRes = await signed('/api/v1/ratings', dup);
    expectProblem(dupRes, 400, 'VALIDATION_FAILED');
    expect(dupRes.body.errors).toEqual([{ field: 'level', message: 'is given more than once' }]);
    const nested = JSON.stringify({ ratings: [rating(), rating()] }).replace('"level":5', '"level":5,"level":1');
    const nestedRes = await signed('/api/v1/ratings/batch', nested);
    expect(nestedRes.body.errors).toEqual([{ field: 'ratings.0.level', message: 'is given more than once' }]);

    expectProblem(await signed('/api/v1/ratings', body, 'application/json; charset=utf-16'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await signed('/api/v1/ratings', body, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await signed('/api/v1/ratings', 'level=5', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await signed('/api/v1/ratings', body, 'application/json; charset=UTF-8').expect(201);

    const port = (app.getHttpServer().address() as AddressInfo).port;
    const latin1 = '{"code":"CN-7","name":"\xe9"}'; // one byte 0xE9: not UTF-8
    const raw = await rawHttp(
      port,
      `POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: ${admin}\r\nContent-Type: application/json\r\nContent-Length: ${latin1.length}\r\nConnection: close\r\n\r\n${latin1}`,
      'latin1',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).errors).toEqual([{ field: 'body', message: 'is not valid UTF-8' }]);

    const blank = await signed('/api/v1/ratings', JSON.stringify(rating({ serviceRecordId: '   ', serviceItemCode: ' ' })));
    expectProblem(blank, 400, 'VALIDATION_FAILED');
    expect(blank.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['serviceItemCode', 'serviceRecordId']);
    const blankDevice = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: '  ' });
    expectProblem(blankDevice, 400, 'VALIDATION_FAILED');
    expect(blankDevice.body.errors).toEqual([{ field: 'windowNo', message: 'must not be blank' }]);
  });

  it('bounds paging and parses numbers strictly (decimal only)', async () => {
    for (const q of ['page=99999999999999999999', 'page=46116860184273880', 'page=1000001', 'page=0x10', 'pageSize=201', 'page=1e3']) {
      const res = await http().get(`/api/v1/ratings?${q}`).set('Authorization', supervisor);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].field).toBe(q.split('=')[0]);
    }
    const ok = await http().get('/api/v1/ratings?page=1000000&pageSize=200').set('Authorization', supervisor).expect(200);
    expect(ok.body).toMatchObject({ items: [], page: 1_000_000, pageSize: 200 });
  });

  it("answers the HTTP server's own errors as problem+json: bad URL, URL and headers too long, unknown route or method", async () => {
    const badUrl = await http().get('/api/v1/ratings/%E0%A4%A').set('Authorization', supervisor);
    expectProblem(badUrl, 400, 'VALIDATION_FAILED');
    expect(badUrl.body.errors).toEqual([{ field: 'url', message: 'is not a valid URL (bad percent-encoding)' }]);
    expectProblem(await http().get(`/api/v1/ratings/${'a'.repeat(200)}`), 414, 'URI_TOO_LONG');
    const wrongMethod = await http().delete('/api/v1/ratings');
    expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, POST');
    expectProblem(await http().get('/nowhere'), 404, 'NOT_FOUND');

    const port = (app.getHttpServer().address() as AddressInfo).port;
    for (const req of [
      `GET /api/v1/ratings?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    ]) {
      const raw = await rawHttp(port, req);
      expect(raw).toMatch(/^HTTP\/1\.1 431 /);
      expect(raw).toMatch(/Content-Type: application\/problem\+json/);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    }
  });

  it('requires exp and plain-string claims; tolerates 30 s of clock skew, no more', async () => {
    const jwt = new JwtService({ secret: TEST_JWT_SECRET });
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      noExp: jwt.sign({ sub: 's', role: 'supervisor' }),
      arrayUnit: jwt.sign({ sub: 's', role: 'unit_operator', unitCode: ['CN-01'] }, { expiresIn: 60 }),
      objectUnit: jwt.sign({ sub: 's', role: 'unit_operator', unitCode: { code: 'CN-01' } }, { expiresIn: 60 }),
      numberUnit: jwt.sign({ sub: 's', role: 'unit_operator', unitCode: 1 }, { expiresIn: 60 }),
      numberSub: jwt.sign({ sub: 7, role: 'supervisor' }, { expiresIn: 60 }),
      arrayRole: jwt.sign({ sub: 's', role: ['supervisor'] }, { expiresIn: 60 }),
      expiredLongAgo: jwt.sign({ sub: 's', role: 'supervisor', exp: now - 60 }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await http().get('/api/v1/ratings').set('Authorization', `Bearer ${token}`);
      expect([name, res.status]).toEqual([name, 401]);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    const justExpired = jwt.sign({ sub: 's', role: 'supervisor', exp: now - 10 });
    await http().get('/api/v1/ratings').set('Authorization', `Bearer ${justExpired}`).expect(200);
  });
});
