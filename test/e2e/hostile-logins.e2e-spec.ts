import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import request from 'supertest';
import { AccountsService } from '../../apps/intake/src/accounts/accounts.service.js';
import { LOGIN_THROTTLE_MS, MAX_FAILED_LOGINS } from '../../apps/intake/src/accounts/account-rules.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  bearer,
  consoleAccounts,
  createTestDatabase,
  startTestService,
  TEST_JWT_SECRET,
  type TestDatabase,
  applyTestEnv,
} from '#libs/testing';

const ADMIN_PASSWORD = 'Gov-Console-2024';

/**
 * Hostile logins (issue: "nothing a stranger can break"): a stranger guessing passwords from elsewhere never locks the
 * owner out and learns nothing from the answers (status, code, body and time alike whatever the name), and no race
 * of two admins' changes leaves the district without an enabled admin.
 */
describe('hostile logins: throttles a stranger, not the owner; no oracle; never zero admins', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let pg: Client;
  let adminAuth: string;
  const http = () => request(intake.getHttpServer());
  const claims = (token: string) => new JwtService({ secret: TEST_JWT_SECRET }).verify<Record<string, unknown>>(token);
  let login: ReturnType<typeof consoleAccounts>['login'];
  let loginFrom: ReturnType<typeof consoleAccounts>['loginFrom'];
  let createUser: (body: Record<string, unknown>) => ReturnType<ReturnType<typeof consoleAccounts>['createUser']>;

  beforeAll(async () => {
    db = await createTestDatabase('hostile_logins');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const accounts = consoleAccounts(intake);
    ({ login, loginFrom } = accounts);
    createUser = (body) => accounts.createUser(adminAuth, body);
    // The first admin, signed in with its own password.
    const first = (await intake.get(AccountsService).ensureFirstAdmin())!;
    await http()
      .post('/api/v1/auth/password')
      .send({ username: 'admin', currentPassword: first.password, newPassword: ADMIN_PASSWORD })
      .expect(200);
    adminAuth = `Bearer ${(await login('admin', ADMIN_PASSWORD)).accessToken}`;
  });

  afterAll(async () => {
    await pg?.end();
    await intake?.close();
    await db?.drop();
  });

  it('throttles failed logins per name and address: a stranger never locks the owner out, unknown names answer alike, an admin unlocks', async () => {
    await http().post('/api/v1/units').set('Authorization', adminAuth).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    const { id } = await createUser({ username: 'zhao.lei', displayName: '赵磊', role: 'supervisor' });
    const stranger = '127.0.0.2';
    const answers: Array<{ status: number; body: Record<string, unknown> }> = [];
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      for (const username of ['zhao.lei', 'no.such.user']) {
        const { status, body } = await loginFrom(stranger, username, 'wrong-password');
        answers.push({ status, body });
      }
    }
    // Every wrong answer is the same, whether the name exists or not.
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 401,
      body: expect.objectContaining({ code: 'INVALID_CREDENTIALS', status: 401, detail: 'The username or password is wrong.' }),
    });

    // Past the allowance the stranger's address is refused for both names alike, the right password included.
    const refused = await Promise.all(['zhao.lei', 'no.such.user'].map((u) => loginFrom(stranger, u, 'zhaolei#Own-Pass-9')));
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(r.body.detail).toMatch(/^登录失败次数过多，请于北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 之后再试$/);
      const retryAfter = Number(r.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(LOGIN_THROTTLE_MS / 1000 - 60);
      expect(retryAfter).toBeLessThanOrEqual(LOGIN_THROTTLE_MS / 1000);
      const retryAt = new Date(String(r.body.retryAt)).getTime();
      expect(Math.abs(retryAt - (Date.now() + retryAfter * 1000))).toBeLessThan(5_000);
    }
    const [a, b] = refused.map((r) => new Date(String(r.body.retryAt)).getTime());
    expect(Math.abs(a! - b!)).toBeLessThan(3_000);

    // The owner, from their own address, signs in all the same.
    const owner = await login('zhao.lei', 'zhaolei#Own-Pass-9');
    expect(owner.user.role).toBe('supervisor');
    const listed = (await http().get('/api/v1/users').set('Authorization', adminAuth).expect(200)).body as Array<Record<string, unknown>>;
    const lockedUntil = listed.find((u) => u.id === id)?.lockedUntil as string;
    expect(new Date(lockedUntil).getTime()).toBeGreaterThan(Date.now() + LOGIN_THROTTLE_MS - 120_000);

    // An admin unlocks: the name is let in from the stranger's address too, and the unlock is audited.
    const unlocked = await http().post(`/api/v1/users/${id}/unlock`).set('Authorization', adminAuth).expect(200);
    expect(unlocked.body).toMatchObject({ id, username: 'zhao.lei', lockedUntil: null });
    expect((await loginFrom(stranger, 'zhao.lei', 'zhaolei#Own-Pass-9')).status).toBe(200);
    expect((await loginFrom(stranger, 'no.such.user', 'whatever-it-is')).status).toBe(429);
    await http().post(`/api/v1/users/${id}/unlock`).set('Authorization', `Bearer ${owner.accessToken}`).expect(403);

    const audit = (await http().get('/api/v1/audit?pageSize=200').set('Authorization', adminAuth).expect(200)).body;
    const mine = audit.items.filter((e: { targetUserId: string }) => e.targetUserId === id);
    expect(mine.filter((e: { action: string }) => e.action === 'LOGIN_FAILED')).toHaveLength(MAX_FAILED_LOGINS);
    expect(mine.find((e: { action: string }) => e.action === 'ACCOUNT_LOCKED')).toMatchObject({
      ip: stranger,
      detail: { address: stranger },
    });
    expect(mine.find((e: { action: string }) => e.action === 'ACCOUNT_UNLOCKED')).toMatchObject({
      actorName: 'admin',
      detail: { username: 'zhao.lei', throttledUntil: lockedUntil, addresses: 1 },
    });
    const unknown = audit.items.filter((e: { actorName: string }) => e.actorName === 'no.such.user');
    expect(unknown.map((e: { action: string }) => e.action).sort()).toEqual([
      'ACCOUNT_LOCKED',
      ...Array<string>(MAX_FAILED_LOGINS).fill('LOGIN_FAILED'),
    ]);
    expect(unknown.find((e: { action: string }) => e.action === 'LOGIN_FAILED')).toMatchObject({
      action: 'LOGIN_FAILED',
      actorSub: null,
      detail: { reason: 'UNKNOWN_USER' },
    });
    await http().get('/api/v1/audit').set('Authorization', `Bearer ${owner.accessToken}`).expect(403);
  });

  it('answers a wrong password, an unknown name and a disabled account equally slowly (argon2 on every path)', async () => {
    const { id } = await createUser({ username: 'wang.wu', displayName: '王五', role: 'supervisor' });
    await createUser({ username: 'zheng.qi', displayName: '郑七', role: 'supervisor' });
    await http().patch(`/api/v1/users/${id}`).set('Authorization', adminAuth).send({ disabled: true }).expect(200);
    const timed = async (address: string, username: string, password: string) => {
      const started = performance.now();
      const answer = await loginFrom(address, username, password);
      return { ms: performance.now() - started, answer: JSON.stringify({ status: answer.status, body: answer.body }) };
    };
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const samples: Record<string, number[]> = { wrong: [], unknown: [], disabled: [] };
    const bodies = new Set<string>();
    // Seven rounds, interleaved: a true median, which one sample slowed by a busy machine does not move. Each round
    // from addresses of its own, so that no name and address reach the throttle (5 failures).
    for (let i = 0; i < 7; i++) {
      for (const [kind, address, username, password] of [
        ['wrong', `127.0.${i}.3`, 'zheng.qi', 'wrong-password'],
        ['unknown', `127.0.${i}.4`, 'nobody.here', 'wrong-password'],
        ['disabled', `127.0.${i}.5`, 'wang.wu', 'wangwu#Own-Pass-9'],
      ] as const) {
        const t = await timed(address, username, password);
        samples[kind]!.push(t.ms);
        bodies.add(t.answer);
      }
    }
    expect(bodies.size).toBe(1);
    const wrong = median(samples.wrong!);
    for (const kind of ['unknown', 'disabled']) {
      const ratio = median(samples[kind]!) / wrong;
      expect(ratio).toBeGreaterThan(0.4);
      expect(ratio).toBeLessThan(2.5);
    }
  });

  it('never leaves zero enabled admins: of a concurrent disable and demotion of the last two, one answers 409 LAST_ADMIN', async () => {
    const second = await http()
      .post('/api/v1/users')
      .set('Authorization', adminAuth)
      .send({ username: 'zhou.admin', displayName: '周管理', role: 'admin', password: 'First-Pass-2024' })
      .expect(201);
    const firstId = (claims(adminAuth.slice(7)) as { sub: string }).sub;
    const external = bearer('admin'); // an external issuer's admin token: not ended by what happens to either account
    const enabledAdmins = async () =>
      (await pg.query(`SELECT username FROM intake.users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY username`)).rows.map(
        (r) => r.username as string,
      );
    expect(await enabledAdmins()).toEqual(['admin', 'zhou.admin']);
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all([
        http().patch(`/api/v1/users/${firstId}`).set('Authorization', external).send({ disabled: true }),
        http()
          .patch(`/api/v1/users/${second.body.id as string}`)
          .set('Authorization', external)
          .send({ role: 'supervisor' }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const conflict = answers.find((a) => a.status === 409)!;
      expect(conflict.body).toMatchObject({ code: 'LAST_ADMIN', status: 409 });
      const left = await enabledAdmins();
      expect(left).toHaveLength(1);
      // Put both back for the next round.
      if (left[0] === 'admin') {
        await http()
          .patch(`/api/v1/users/${second.body.id as string}`)
          .set('Authorization', external)
          .send({ role: 'admin' })
          .expect(200);
      } else {
        await http().patch(`/api/v1/users/${firstId}`).set('Authorization', external).send({ disabled: false }).expect(200);
      }
      expect(await enabledAdmins()).toEqual(['admin', 'zhou.admin']);
    }
  });
});
