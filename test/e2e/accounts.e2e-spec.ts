import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import request from 'supertest';
import { AccountsService } from '../../apps/intake/src/accounts/accounts.service.js';
import { SESSION_CHECK_TTL_MS } from '#libs/auth';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  consoleAccounts,
  type ConsoleTokens,
  createTestDatabase,
  deviceHeaders,
  eventually,
  ownPassword,
  startTestService,
  TEST_JWT_SECRET,
  type TestDatabase,
} from '#libs/testing';

type Tokens = ConsoleTokens;

describe('accounts: first admin, refresh, revocation, roles and unit scoping through the console API (hostile logins: hostile-logins)', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  let adminAuth: string;
  const http = () => request(intake.getHttpServer());
  const claims = (token: string) => new JwtService({ secret: TEST_JWT_SECRET }).verify<Record<string, unknown>>(token);

  let login: ReturnType<typeof consoleAccounts>['login'];
  let createUser: (body: Record<string, unknown>) => ReturnType<ReturnType<typeof consoleAccounts>['createUser']>;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    const accounts = consoleAccounts(intake);
    login = accounts.login;
    createUser = (body) => accounts.createUser(adminAuth, body);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('creates one first admin whose one-time password must be changed before any token is issued', async () => {
    const accounts = intake.get(AccountsService);
    const first = await accounts.ensureFirstAdmin();
    expect(first).toEqual({ username: 'admin', password: expect.any(String) });
    // Not signed in yet: the next start prints a new one-time password, and the old one stops working.
    const again = await accounts.ensureFirstAdmin();
    expect(again!.password).not.toBe(first!.password);
    expect((await login('admin', first!.password, 401)).code).toBe('INVALID_CREDENTIALS');

    const [row] = (await pg.query(`SELECT username, role, unit_code, password_hash, must_change_password FROM intake.users`)).rows;
    expect(row).toMatchObject({ username: 'admin', role: 'admin', unit_code: null, must_change_password: true });
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(again!.password);

    expect((await login('admin', again!.password, 403)).code).toBe('PASSWORD_CHANGE_REQUIRED');
    const weak = await http()
      .post('/api/v1/auth/password')
      .send({ username: 'admin', currentPassword: again!.password, newPassword: 'admin123' })
      .expect(400);
    expect(weak.body.errors).toEqual([
      { field: 'newPassword', message: '密码至少 10 个字符' },
      { field: 'newPassword', message: '密码须包含小写字母、大写字母、数字、符号中的至少三类' },
      { field: 'newPassword', message: '密码不能包含用户名' },
    ]);
    const changed = (
      await http()
        .post('/api/v1/auth/password')
        .send({ username: 'admin', currentPassword: again!.password, newPassword: 'Gov-Console-2024' })
        .expect(200)
    ).body as Tokens;
    expect(changed.user).toMatchObject({ role: 'admin', mustChangePassword: false });
    expect(await accounts.ensureFirstAdmin()).toBeNull();

    const tokens = await login('ADMIN', 'Gov-Console-2024');
    expect(tokens.expiresIn).toBe(900);
    const c = claims(tokens.accessToken);
    expect(c).toMatchObject({ sub: tokens.user.id, role: 'admin', name: '系统管理员' });
    expect(typeof c.exp).toBe('number');
    expect((c.exp as number) - (c.iat as number)).toBe(900);
    expect(c.unitCode).toBeUndefined();
    adminAuth = `Bearer ${tokens.accessToken}`;
    // Every service accepts the token, as it accepts an external issuer's.
    await request(statistics.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', adminAuth).expect(200);
    await request(rectification.getHttpServer()).get('/api/v1/calendar/2025').set('Authorization', adminAuth).expect(200);
    await http().get('/api/v1/units').set('Authorization', bearer('admin')).expect(200);
    const me = (
      await http()
        .get('/api/v1/auth/me')
        .set('Authorization', bearer('supervisor', undefined, { sub: 'sso:li.si' }))
        .expect(200)
    ).body;
    expect(me).toEqual({ sub: 'sso:li.si', role: 'supervisor', unitCode: null, user: null });
  });

  it('rotates refresh tokens, treats a replayed one as stolen, and revokes on logout', async () => {
    await http().post('/api/v1/units').set('Authorization', adminAuth).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    await createUser({ username: 'zhao.lei', displayName: '赵磊', role: 'supervisor' });
    const first = await login('zhao.lei', 'zhaolei#Own-Pass-9');
    const second = (await http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(claims(second.accessToken)).toMatchObject({ sub: first.user.id, role: 'supervisor' });
    const stored = (await pg.query(`SELECT token_hash FROM intake.refresh_tokens`)).rows.map((r) => r.token_hash as string);
    expect(stored.join()).not.toContain(second.refreshToken);

    // The exchanged token again: the whole login is revoked, the newest token too.
    expect((await http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401)).body.code).toBe(
      'UNAUTHENTICATED',
    );
    await http().post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);

    const other = await login('zhao.lei', 'zhaolei#Own-Pass-9');
    const next = (await http().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(200)).body as Tokens;
    await http().post('/api/v1/auth/logout').send({ refreshToken: next.refreshToken }).expect(204);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: next.refreshToken }).expect(401);
    await http().post('/api/v1/auth/logout').send({ refreshToken: next.refreshToken }).expect(204);
    expect((await http().post('/api/v1/auth/refresh').send({ refreshToken: 'made-up' }).expect(401)).body.code).toBe('UNAUTHENTICATED');
    const actions = (await pg.query(`SELECT action FROM intake.audit_log WHERE action IN ('REFRESH_REUSED', 'LOGOUT')`)).rows.map(
      (r) => r.action,
    );
    expect(actions.sort()).toEqual(['LOGOUT', 'REFRESH_REUSED']);
  });

  it('applies a role change at the next refresh, and a disabled account cannot refresh or log in', async () => {
    const { id, tokens } = await createUser({ username: 'qian.yu', displayName: '钱宇', role: 'supervisor' });
    await http()
      .patch(`/api/v1/users/${id}`)
      .set('Authorization', adminAuth)
      .send({ role: 'unit_operator' })
      .expect(400)
      .expect((res) => expect(res.body.errors).toEqual([{ field: 'unitCode', message: 'is required for a unit_operator' }]));
    await http()
      .patch(`/api/v1/users/${id}`)
      .set('Authorization', adminAuth)
      .send({ role: 'unit_operator', unitCode: 'NO-SUCH' })
      .expect(400)
      .expect((res) => expect(res.body.errors).toEqual([{ field: 'unitCode', message: 'unit NO-SUCH is not registered' }]));
    const updated = await http()
      .patch(`/api/v1/users/${id}`)
      .set('Authorization', adminAuth)
      .send({ role: 'unit_operator', unitCode: 'CN-01' })
      .expect(200);
    expect(updated.body).toMatchObject({ role: 'unit_operator', unitCode: 'CN-01' });
    const refreshed = (await http().post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(200)).body as Tokens;
    expect(claims(refreshed.accessToken)).toMatchObject({ sub: id, role: 'unit_operator', unitCode: 'CN-01' });
    await request(rectification.getHttpServer())
      .get('/api/v1/cases?unitCode=CN-02')
      .set('Authorization', `Bearer ${refreshed.accessToken}`)
      .expect(403);

    await http().patch(`/api/v1/users/${id}`).set('Authorization', adminAuth).send({ disabled: true }).expect(200);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: refreshed.refreshToken }).expect(401);
    await login('qian.yu', 'qianyu#Own-Pass-9', 401);
    const [row] = (
      await pg.query(`SELECT detail FROM intake.audit_log WHERE action = 'USER_UPDATED' AND target_user_id = $1 ORDER BY id DESC`, [id])
    ).rows;
    expect(row.detail).toEqual({ username: 'qian.yu', changes: { disabled: [false, true] } });

    // The last admin cannot lock everyone out.
    const adminId = (claims(adminAuth.slice(7)) as { sub: string }).sub;
    expect(
      (await http().patch(`/api/v1/users/${adminId}`).set('Authorization', adminAuth).send({ disabled: true }).expect(409)).body.code,
    ).toBe('LAST_ADMIN');
    await http()
      .post('/api/v1/users')
      .set('Authorization', adminAuth)
      .send({ username: 'sun.li', displayName: '孙丽', role: 'supervisor', unitCode: 'CN-01', password: 'short' })
      .expect(400)
      .expect((res) =>
        expect(res.body.errors).toEqual([
          { field: 'unitCode', message: 'must be empty unless the role is unit_operator' },
          { field: 'password', message: '密码至少 10 个字符' },
          { field: 'password', message: '密码须包含小写字母、大写字母、数字、符号中的至少三类' },
        ]),
      );
  });

  it("never shows one unit's cases or figures to another unit's operator", async () => {
    await http().post('/api/v1/units').set('Authorization', adminAuth).send({ code: 'CN-02', name: '区人力资源和社会保障局' }).expect(201);
    const a = await createUser({ username: 'op.a', displayName: '甲单位经办人', role: 'unit_operator', unitCode: 'CN-01' });
    const b = await createUser({ username: 'op.b', displayName: '乙单位经办人', role: 'unit_operator', unitCode: 'CN-02' });
    const opA = `Bearer ${a.tokens.accessToken}`;
    const opB = `Bearer ${b.tokens.accessToken}`;
    for (const unitCode of ['CN-01', 'CN-02']) {
      const device = (await http().post('/api/v1/devices').set('Authorization', adminAuth).send({ unitCode, windowNo: 'A01' }).expect(201))
        .body;
      const body = JSON.stringify({
        serviceRecordId: `${unitCode}-REC-1`,
        serviceItemCode: '310105-XK-0001',
        level: 1,
        tags: ['ATTITUDE'],
        reviewer: { name: '张三', phone: '13800138000' },
        ratedAt: new Date().toISOString(),
      });
      await http()
        .post('/api/v1/ratings')
        .set(deviceHeaders({ id: device.deviceId, secret: device.secret }, 'POST', '/api/v1/ratings', body))
        .send(body)
        .expect(201);
    }
    const cases = (auth: string, query = '') =>
      request(rectification.getHttpServer()).get(`/api/v1/cases${query}`).set('Authorization', auth);
    const mine = await eventually(
      async () => (await cases(opA).expect(200)).body,
      (page) => page.total === 1,
    );
    expect(mine.items.map((c: { unitCode: string }) => c.unitCode)).toEqual(['CN-01']);
    expect(JSON.stringify(mine)).not.toContain('13800138000');
    const theirs = await eventually(
      async () => (await cases(opB).expect(200)).body,
      (page) => page.total === 1,
    );
    expect(theirs.items[0].unitCode).toBe('CN-02');
    expect((await cases(opA, '?unitCode=CN-02').expect(403)).body.code).toBe('FORBIDDEN_UNIT');
    expect((await cases(opA, `/${theirs.items[0].id}`).expect(403)).body.code).toBe('FORBIDDEN_UNIT');
    await request(rectification.getHttpServer())
      .post(`/api/v1/cases/${theirs.items[0].id}/accept`)
      .set('Authorization', opA)
      .send({})
      .expect(403);
    await request(rectification.getHttpServer())
      .post(`/api/v1/cases/${theirs.items[0].id}/reveal-contact`)
      .set('Authorization', opA)
      .send({ reason: '回访' })
      .expect(403);
    const year = new Date().getFullYear();
    const quarter = Math.floor(new Date().getMonth() / 3) + 1;
    const report = (path: string, auth: string) => request(statistics.getHttpServer()).get(path).set('Authorization', auth);
    expect((await report(`/api/v1/reports/quarterly?year=${year}&quarter=${quarter}&unitCode=CN-02`, opA).expect(403)).body.code).toBe(
      'FORBIDDEN_UNIT',
    );
    const own = await eventually(
      async () => (await report(`/api/v1/reports/quarterly?year=${year}&quarter=${quarter}&unitCode=CN-01`, opA).expect(200)).body,
      (r) => r.reviews.total === 1,
    );
    expect(own.units.map((u: { unitCode: string }) => u.unitCode)).toEqual(['CN-01']);
    // A reveal with its reason is audited for the admin, with the case's unit.
    const revealed = await request(rectification.getHttpServer())
      .post(`/api/v1/cases/${mine.items[0].id}/reveal-contact`)
      .set('Authorization', opA)
      .send({ reason: '回访评价人核实情况' })
      .expect(200);
    expect(revealed.body).toMatchObject({ name: '张三', phone: '13800138000' });
    await request(rectification.getHttpServer()).get('/api/v1/audit/contact-reveals').set('Authorization', opA).expect(403);
    const reveals = (
      await request(rectification.getHttpServer()).get('/api/v1/audit/contact-reveals').set('Authorization', adminAuth).expect(200)
    ).body;
    expect(reveals).toEqual({
      items: [
        {
          id: expect.any(String),
          caseId: mine.items[0].id,
          unitCode: 'CN-01',
          actor: a.id,
          actorRole: 'unit_operator',
          reason: '回访评价人核实情况',
          fields: ['name', 'phone'],
          at: expect.any(String),
        },
      ],
      page: 1,
      pageSize: 50,
      total: 1,
    });
    // The workbench's order: open, overdue and urged cases first.
    await pg.query(`UPDATE rectification.cases SET overdue = true WHERE unit_code = 'CN-02'`);
    const attention = (await cases(bearer('supervisor'), '?sort=attention').expect(200)).body;
    expect(attention.items.map((c: { unitCode: string }) => c.unitCode)).toEqual(['CN-02', 'CN-01']);
    // Console accounts of units and the audit log are the admin's alone.
    await http().get('/api/v1/users').set('Authorization', opA).expect(403);
    await http().get('/api/v1/audit').set('Authorization', opB).expect(403);
  });
  it('ends access tokens on every service within the session check bound: logout, role change, password reset, disabling', async () => {
    const year = new Date().getFullYear();
    const everywhere = async (auth: string) =>
      Promise.all([
        http().get('/api/v1/auth/me').set('Authorization', auth),
        request(rectification.getHttpServer()).get('/api/v1/cases').set('Authorization', auth),
        request(statistics.getHttpServer()).get(`/api/v1/reports/quarterly/published?year=${year}`).set('Authorization', auth),
      ]).then((answers) => answers.map((a) => a.status));
    /**
     * Polls every service until the token is refused everywhere (deadline: the contract's 60 s); how long after the
     * change the last probe that any service still accepted was sent. A request sent more than the session check's
     * cache time after the change must be refused, however long the machine then takes to answer it.
     */
    const lastAcceptedAfter = async (auth: string, changedAt: number) => {
      let lastAccepted = changedAt;
      for (const deadline = changedAt + 60_000; Date.now() < deadline;) {
        const sentAt = Date.now();
        const statuses = await everywhere(auth);
        if (statuses.every((s) => s === 401)) return lastAccepted - changedAt;
        expect(statuses.every((s) => s === 200 || s === 401)).toBe(true);
        lastAccepted = sentAt;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error('the token was still accepted 60 s after the change');
    };
    // Four people, one change each, made one after another and then watched together: the changes end their tokens
    // independently, so the four waits for the session check's bound overlap instead of adding up.
    const person = async (username: string, displayName: string) => {
      const { id } = await createUser({ username, displayName, role: 'supervisor' });
      return { id, username, password: ownPassword(username) };
    };
    const [loggingOut, promoted, reset, disabled] = await Promise.all([
      person('chen.si', '陈思'),
      person('he.wu', '何五'),
      person('lu.liu', '陆六'),
      person('ma.qi', '马七'),
    ]);

    // Logout: the access token of that login ends; another login of the same person goes on.
    const kept = await login(loggingOut.username, loggingOut.password);
    const ending = await login(loggingOut.username, loggingOut.password);
    expect(claims(ending.accessToken)).toMatchObject({ sub: loggingOut.id, sv: expect.any(Number), sid: expect.any(String) });
    expect(await everywhere(`Bearer ${ending.accessToken}`)).toEqual([200, 200, 200]);
    await http().post('/api/v1/auth/logout').send({ refreshToken: ending.refreshToken }).expect(204);
    const loggedOutAt = Date.now();

    // A role change: the tokens issued so far end; a refresh carries the new role.
    const before = await login(promoted.username, promoted.password);
    expect(await everywhere(`Bearer ${before.accessToken}`)).toEqual([200, 200, 200]);
    await http()
      .patch(`/api/v1/users/${promoted.id}`)
      .set('Authorization', adminAuth)
      .send({ role: 'unit_operator', unitCode: 'CN-01' })
      .expect(200);
    const promotedAt = Date.now();

    // A password reset by an admin ends every login.
    const beforeReset = await login(reset.username, reset.password);
    expect(await everywhere(`Bearer ${beforeReset.accessToken}`)).toEqual([200, 200, 200]);
    await http()
      .post(`/api/v1/users/${reset.id}/reset-password`)
      .set('Authorization', adminAuth)
      .send({ password: 'Reset-Pass-2024' })
      .expect(200);
    const resetAt = Date.now();

    // Disabling ends the login made after a password change.
    await login(disabled.username, disabled.password);
    const again = (
      await http()
        .post('/api/v1/auth/password')
        .send({ username: disabled.username, currentPassword: disabled.password, newPassword: 'Ma-New-Pass-2024' })
        .expect(200)
    ).body as Tokens;
    expect(await everywhere(`Bearer ${again.accessToken}`)).toEqual([200, 200, 200]);
    await http().patch(`/api/v1/users/${disabled.id}`).set('Authorization', adminAuth).send({ disabled: true }).expect(200);
    const disabledAt = Date.now();

    const ended = await Promise.all([
      lastAcceptedAfter(`Bearer ${ending.accessToken}`, loggedOutAt),
      lastAcceptedAfter(`Bearer ${before.accessToken}`, promotedAt),
      lastAcceptedAfter(`Bearer ${beforeReset.accessToken}`, resetAt),
      lastAcceptedAfter(`Bearer ${again.accessToken}`, disabledAt),
    ]);
    for (const after of ended) expect(after).toBeLessThanOrEqual(SESSION_CHECK_TTL_MS);

    const refused = await request(statistics.getHttpServer())
      .get('/api/v1/reports/summary')
      .set('Authorization', `Bearer ${ending.accessToken}`);
    expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(await everywhere(`Bearer ${kept.accessToken}`)).toEqual([200, 200, 200]);
    const refreshed = (await http().post('/api/v1/auth/refresh').send({ refreshToken: before.refreshToken }).expect(200)).body as Tokens;
    expect(claims(refreshed.accessToken)).toMatchObject({ role: 'unit_operator', unitCode: 'CN-01' });
    expect(await everywhere(`Bearer ${refreshed.accessToken}`)).toEqual([200, 200, 200]);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: beforeReset.refreshToken }).expect(401);
    const id = disabled.id;
    // A forged session claim is refused as a bad token, not looked up.
    const forged = new JwtService({ secret: TEST_JWT_SECRET }).sign(
      { sub: id, role: 'admin', sid: 'not-a-login', sv: 0 },
      { expiresIn: 60 },
    );
    expect((await http().get('/api/v1/auth/me').set('Authorization', `Bearer ${forged}`).expect(401)).body.detail).toBe(
      'The bearer token is invalid: sid must be a login id.',
    );
  });
});
