import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Clock } from '#libs/common';
import { applyTestEnv, bearer, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';
import { CalendarService } from '../../apps/rectification/src/calendar/calendar.service.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type CaseBody, openCase, reviewEvent, sql } from './rectification-fixtures.js';

const admin = bearer('admin', undefined, { sub: 'admin-li' });
const supervisor = bearer('supervisor');
const operator = bearer('unit_operator', 'CN-01');

/** Shanghai's date of an instant, as the case number writes it (2026-1207). */
const shanghaiDay = (iso: string) => {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 4)}-${d.slice(5, 7)}${d.slice(8, 10)}`;
};

describe('console support: case numbers and their search, calendar confirmation without editing', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('console_zh');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("numbers every case by its Shanghai opening day and that day's sequence, and finds it by the number or a part of it", async () => {
    const opened: CaseBody[] = [];
    for (const comment of ['第一件', '第二件', '第三件']) opened.push(await openCase(app, supervisor, reviewEvent({ comment })));
    const numbers = await Promise.all(
      opened.map(
        async (c) => (await http().get(`/api/v1/cases/${c.id}`).set('Authorization', supervisor).expect(200)).body.caseNumber as string,
      ),
    );
    const day = shanghaiDay(opened[0]!.openedAt as string);
    expect(numbers).toEqual([`${day}-0001`, `${day}-0002`, `${day}-0003`]);
    expect((opened as Array<CaseBody & { caseNumber?: string }>).map((c) => c.caseNumber)).toEqual(numbers); // the list carries it too

    const search = async (q: string, auth = supervisor) =>
      (
        (await http().get('/api/v1/cases').query({ q }).set('Authorization', auth).expect(200)).body as {
          items: Array<{ caseNumber: string }>;
        }
      ).items
        .map((c) => c.caseNumber)
        .sort();
    expect(await search(`${day}-0002`)).toEqual([`${day}-0002`]);
    expect(await search(`${day.slice(5)}-0003`)).toEqual([`${day}-0003`]);
    expect(await search(day.replace('-', ''))).toEqual(numbers);
    expect(await search('0002', operator)).toEqual([`${day}-0002`]);
    expect(await search('编号')).toEqual([]);
    expect(await search('9999-9999-9999')).toEqual([]);
    const bad = await http().get('/api/v1/cases').query({ q: ' ' }).set('Authorization', supervisor).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['q']);

    const [row] = await sql<{ last: number }>(db.url, `SELECT last FROM rectification.case_number_days`);
    expect(row).toEqual({ last: 3 });
  });

  it('warns with the year and its status, and an admin confirms a provisional year as it stands (audited); others may not', async () => {
    jest.spyOn(app.get(Clock), 'now').mockReturnValue(new Date('2026-11-15T02:00:00Z'));
    const warnings = (await http().get('/api/v1/calendar/warnings').set('Authorization', operator).expect(200)).body.warnings;
    expect(warnings).toEqual([expect.objectContaining({ year: 2027, status: 'PROVISIONAL' })]);
    const before = (await http().get('/api/v1/calendar/2027').set('Authorization', admin).expect(200)).body;
    expect(before.status).toBe('PROVISIONAL');

    await http().post('/api/v1/calendar/2027/confirm').set('Authorization', operator).expect(403);
    await http().post('/api/v1/calendar/2027/confirm').set('Authorization', supervisor).expect(403);
    await http().post('/api/v1/calendar/2027/confirm').expect(401);
    const confirmed = (await http().post('/api/v1/calendar/2027/confirm').set('Authorization', admin).expect(200)).body;
    expect(confirmed).toMatchObject({ year: 2027, status: 'CONFIRMED', provisional: false, confirmedBy: 'admin-li' });
    expect(confirmed.holidays).toEqual(before.holidays);
    expect(confirmed.makeUpWorkdays).toEqual([]);
    expect(confirmed.holidays).toContain('2027-10-01');

    expect((await http().get('/api/v1/calendar/warnings').set('Authorization', operator).expect(200)).body.warnings).toEqual([]);

    // A year whose published arrangement went missing is provisional again; confirming it keeps its statutory days.
    await sql(db.url, `DELETE FROM rectification.calendar_days WHERE date BETWEEN '2026-01-01' AND '2026-12-31'`);
    await sql(db.url, `DELETE FROM rectification.calendar_years WHERE year = 2026`);
    app.get(CalendarService).invalidate();
    expect((await http().get('/api/v1/calendar/warnings').set('Authorization', operator).expect(200)).body.warnings).toEqual([
      expect.objectContaining({ year: 2026, status: 'PROVISIONAL' }),
    ]);
    const y2026 = await http().post('/api/v1/calendar/2026/confirm').set('Authorization', admin);
    expect({ status: y2026.status, errors: y2026.body.errors }).toEqual({ status: 200, errors: undefined });
    expect(y2026.body).toMatchObject({ status: 'CONFIRMED', makeUpWorkdays: [] });
    // Confirmed without 调休, unlike the holiday package: that difference is the warning now, the confirmation stands.
    expect((await http().get('/api/v1/calendar/warnings').set('Authorization', operator).expect(200)).body.warnings).toEqual([
      expect.objectContaining({ year: 2026, status: 'PUBLISHED_DIFFERS' }),
    ]);
    const audit = await sql<{ action: string; summary: string }>(
      db.url,
      `SELECT payload->'data'->>'action' AS action, payload->'data'->>'summary' AS summary FROM rectification.outbox
        WHERE payload->'data'->>'action' = 'CALENDAR_CONFIRMED' ORDER BY id LIMIT 1`,
    );
    expect(audit).toEqual([
      {
        action: 'CALENDAR_CONFIRMED',
        summary: `确认 2027 年工作日历：节假日 ${before.holidays.length} 天，调休上班 0 天；重算 0 件案件期限`,
      },
    ]);
  });
});
