import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import { type CalendarYearSeed, seedYearsFromChineseDays } from '#libs/calendar';
import { Clock } from '#libs/common';
import { eventDataErrors, EventTypes } from '#libs/contracts';
import { applyTestEnv, bearer, METRICS_AUTH, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';
import { PUBLISHED_CALENDAR, type PublishedCalendar } from '../../apps/rectification/src/calendar/calendar.service.js';
import { OverdueService } from '../../apps/rectification/src/cases/overdue.service.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type CaseBody, openCase, outboxTypes, reviewEvent, sql } from './rectification-fixtures.js';

/** The holiday package as it stands (chinese-days 1.5.7: up to 2026), pinned so the test does not move with an upgrade. */
const UP_TO_2026: PublishedCalendar = {
  source: 'chinese-days 1.5.7',
  years: () => seedYearsFromChineseDays().filter((s) => s.year <= 2026),
};

/**
 * A hypothetical 2027 arrangement (the real one is not published yet): 元旦 Fri 01-01 – Mon 01-04
 * with Sat 01-09 worked; 春节 Thu 02-04 – Fri 02-12 with Sun 01-31 and Sat 02-20 worked.
 */
const ARRANGEMENT_2027 = [
  ...['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'].map((date) => ({ date, kind: 'HOLIDAY', name: '元旦' })),
  { date: '2027-01-09', kind: 'WORKDAY', name: '元旦' },
  ...['04', '05', '06', '07', '08', '09', '10', '11', '12'].map((d) => ({ date: `2027-02-${d}`, kind: 'HOLIDAY', name: '春节' })),
  { date: '2027-01-31', kind: 'WORKDAY', name: '春节' },
  { date: '2027-02-20', kind: 'WORKDAY', name: '春节' },
];

const supervisor = bearer('supervisor');
const admin = bearer('admin', undefined, { sub: 'admin-li' });

interface TimelineItem {
  action: string;
  data: Record<string, unknown>;
}

async function deadlineEvents(url: string, caseId: string) {
  return sql<{ data: Record<string, unknown> }>(
    url,
    `SELECT payload->'data' AS data FROM rectification.outbox WHERE payload->>'type' = $1 AND payload->>'subject' = $2 ORDER BY id`,
    [EventTypes.CaseDeadlineChanged, caseId],
  );
}

describe('calendar: provisional 2027, loud until confirmed, confirmation and deadline recompute', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let now: jest.SpiedFunction<Clock['now']>;
  let warn: jest.SpiedFunction<Logger['warn']>;
  const http = () => request(app.getHttpServer());
  const getCase = async (id: string) =>
    (await http().get(`/api/v1/cases/${id}`).set('Authorization', supervisor).expect(200)).body as CaseBody & {
      timeline: TimelineItem[];
    };
  const calendarLogLines = () => warn.mock.calls.filter((call) => String(call[1] ?? call[0]).includes('2027 年节假日安排尚未确认')).length;
  const gauge = async (name: string) => {
    const text = (await http().get('/metrics').set('Authorization', METRICS_AUTH).expect(200)).text;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  beforeAll(async () => {
    db = await createTestDatabase('rect_cal');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP, (b) =>
      b.overrideProvider(PUBLISHED_CALENDAR).useValue(UP_TO_2026),
    );
    now = jest.spyOn(app.get(Clock), 'now');
    warn = jest.spyOn(Logger.prototype, 'warn');
  });

  afterAll(async () => {
    warn?.mockRestore();
    await app?.close();
    await db?.drop();
  });

  it('serves 2027 as provisional: the statutory days and their 补假, no make-up days', async () => {
    const y2027 = (await http().get('/api/v1/calendar/2027').set('Authorization', admin).expect(200)).body;
    expect(y2027).toMatchObject({ year: 2027, status: 'PROVISIONAL', provisional: true, makeUpWorkdays: [] });
    expect(y2027.holidays).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-02-09', // 补假 for 初一 on Sat 02-06
      '2027-02-10', // and 初二 on Sun 02-07
      '2027-04-05',
      '2027-05-01',
      '2027-05-02',
      '2027-05-03', // 补假: 劳动节 on a weekend
      '2027-05-04',
      '2027-06-09',
      '2027-09-15',
      '2027-10-01',
      '2027-10-02',
      '2027-10-03',
      '2027-10-04', // 补假: 国庆's 10-02 and 10-03 on a weekend
      '2027-10-05',
    ]);
    expect(y2027.days[0]).toEqual({ date: '2027-01-01', kind: 'HOLIDAY', name: '元旦', origin: 'provisional' });
    const y2026 = (await http().get('/api/v1/calendar/2026').set('Authorization', admin).expect(200)).body;
    expect(y2026).toMatchObject({ status: 'PUBLISHED', provisional: false, source: 'chinese-days' });
  });

  it('is quiet before 1 November, then warns (health body, gauges, one log line a day) while 2027 is provisional', async () => {
    now.mockReturnValue(new Date('2026-10-31T15:59:00Z')); // 23:59 on 31 October, Shanghai
    const quiet = (await http().get('/health').expect(200)).body;
    expect(quiet.status).toBe('ok');
    expect(quiet.warnings).toBeUndefined();
    expect(await gauge('calendar_next_year_confirmed')).toBe(0); // the truth, all year
    expect(await gauge('calendar_warning')).toBe(0);
    const before = calendarLogLines();

    now.mockReturnValue(new Date('2026-10-31T16:00:00Z')); // 00:00 on 1 November, Shanghai
    const loud = (await http().get('/health').expect(200)).body;
    expect(loud.status).toBe('ok');
    expect(loud.warnings).toEqual([
      { name: 'calendar', message: expect.stringContaining('2027 年节假日安排尚未确认'), details: { year: 2027, status: 'PROVISIONAL' } },
    ]);
    expect(await gauge('calendar_warning')).toBe(1);
    await http().get('/health').expect(200);
    expect(calendarLogLines()).toBe(before + 1); // once that day, however often it is asked

    now.mockReturnValue(new Date('2026-11-02T01:00:00Z'));
    await http().get('/health').expect(200);
    expect(calendarLogLines()).toBe(before + 2); // and again the next day
  });

  it('confirming 2027 recomputes the open cases that touched it; timeline, events and the overdue sweep follow', async () => {
    // Mon 2026-12-28: Dec 29, 30, 31, (元旦 Fri off), Mon Jan 4, Tue Jan 5 → due Tue 2027-01-05, provisional.
    const boundary = await openCase(app, supervisor, reviewEvent({ receivedAt: '2026-12-28T10:00:00+08:00' }));
    expect(boundary).toMatchObject({
      responseDueAt: '2026-12-29T15:59:59.999Z',
      rectifyDueAt: '2027-01-05T15:59:59.999Z',
      deadlineProvisional: true,
    });
    // Thu 2027-01-28: Jan 29, Feb 1, 2, 3, 4 → due Thu 02-04; the arrangement's Sun 01-31 make-up day brings it to Wed 02-03.
    const earlier = await openCase(app, supervisor, reviewEvent({ receivedAt: '2027-01-28T10:00:00+08:00' }));
    expect(earlier).toMatchObject({ rectifyDueAt: '2027-02-04T15:59:59.999Z', deadlineProvisional: true });
    // Opened 2026-12-01, due 12-08: never touches 2027.
    const untouched = await openCase(app, supervisor, reviewEvent({ receivedAt: '2026-12-01T10:00:00+08:00' }));
    expect(untouched).toMatchObject({ rectifyDueAt: '2026-12-08T15:59:59.999Z', deadlineProvisional: false });

    // 00:30 on Wed 2027-01-06 (Shanghai), before the confirmation: the provisional deadline has passed.
    const afterProvisionalDue = new Date('2027-01-05T16:30:00Z');
    const sweeper = app.get(OverdueService);
    await sweeper.sweep(afterProvisionalDue);
    const flagged = await getCase(boundary.id);
    expect(flagged.overdue).toBe(true);
    expect(flagged.timeline.filter((e) => e.action === 'mark-overdue').map((e) => e.data.kind)).toEqual(['response', 'rectify']);

    now.mockReturnValue(afterProvisionalDue);
    const confirmed = (await http().put('/api/v1/calendar/2027').set('Authorization', admin).send({ days: ARRANGEMENT_2027 }).expect(200))
      .body;
    expect(confirmed).toMatchObject({
      year: 2027,
      status: 'CONFIRMED',
      provisional: false,
      confirmedBy: 'admin-li',
      confirmedAt: afterProvisionalDue.toISOString(),
      deadlinesChanged: 2,
      makeUpWorkdays: ['2027-01-09', '2027-01-31', '2027-02-20'],
    });

    // Stored deadlines.
    const stored = await sql<{ id: string; response: Date; rectify: Date; provisional: boolean; workflow: Record<string, unknown> }>(
      db.url,
      `SELECT id, response_due_at AS response, rectify_due_at AS rectify, deadline_provisional AS provisional, workflow
       FROM rectification.cases WHERE id = ANY($1)`,
      [[boundary.id, earlier.id, untouched.id]],
    );
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(byId.get(boundary.id)).toMatchObject({ rectify: new Date('2027-01-06T15:59:59.999Z'), provisional: false });
    expect(byId.get(boundary.id)!.workflow).toMatchObject({ responseOverdue: true, rectifyOverdue: false });
    expect(byId.get(earlier.id)).toMatchObject({ rectify: new Date('2027-02-03T15:59:59.999Z'), provisional: false });
    expect(byId.get(untouched.id)).toMatchObject({ rectify: new Date('2026-12-08T15:59:59.999Z'), provisional: false });

    // The case view and its timeline: old and new deadline.
    const moved = await getCase(boundary.id);
    expect(moved).toMatchObject({ rectifyDueAt: '2027-01-06T15:59:59.999Z', deadlineProvisional: false, overdue: true });
    expect(moved.timeline.at(-1)).toMatchObject({
      action: 'deadline-changed',
      data: {
        calendarYear: 2027,
        calendarChange: 'CONFIRMED',
        previous: { responseDueAt: '2026-12-29T15:59:59.999Z', rectifyDueAt: '2027-01-05T15:59:59.999Z', deadlineProvisional: true },
        responseDueAt: '2026-12-29T15:59:59.999Z',
        rectifyDueAt: '2027-01-06T15:59:59.999Z',
        deadlineProvisional: false,
        overdueWithdrawn: ['rectify'],
        eventType: EventTypes.CaseDeadlineChanged,
      },
    });

    // The events, valid against their contract schema.
    const [event] = await deadlineEvents(db.url, boundary.id);
    expect(event!.data).toMatchObject({
      caseId: boundary.id,
      previousResponseDueAt: '2026-12-29T15:59:59.999Z',
      previousRectifyDueAt: '2027-01-05T15:59:59.999Z',
      previousDeadlineProvisional: true,
      responseDueAt: '2026-12-29T15:59:59.999Z',
      rectifyDueAt: '2027-01-06T15:59:59.999Z',
      deadlineProvisional: false,
      calendarYear: 2027,
      calendarChange: 'CONFIRMED',
      version: moved.version,
    });
    expect(eventDataErrors({ type: EventTypes.CaseDeadlineChanged, data: event!.data })).toEqual([]);
    expect((await deadlineEvents(db.url, earlier.id)).map((e) => [e.data.previousRectifyDueAt, e.data.rectifyDueAt])).toEqual([
      ['2027-02-04T15:59:59.999Z', '2027-02-03T15:59:59.999Z'],
    ]);
    expect(await outboxTypes(db.url, untouched.id)).not.toContain(EventTypes.CaseDeadlineChanged);
    expect((await getCase(untouched.id)).timeline.map((e) => e.action)).not.toContain('deadline-changed');

    // The sweep at the same instant does not flag the deadline that moved later; a day on, it does.
    await sweeper.sweep(afterProvisionalDue);
    expect((await getCase(boundary.id)).timeline.filter((e) => e.action === 'mark-overdue')).toHaveLength(2);
    await sweeper.sweep(new Date('2027-01-06T16:30:00Z'));
    const late = await getCase(boundary.id);
    expect(late.timeline.filter((e) => e.action === 'mark-overdue').map((e) => [e.data.kind, e.data.dueAt])).toEqual([
      ['response', '2026-12-29T15:59:59.999Z'],
      ['rectify', '2027-01-05T15:59:59.999Z'],
      ['rectify', '2027-01-06T15:59:59.999Z'],
    ]);

    // Confirming the same arrangement again changes nothing; a correction moves the deadlines again.
    const again = (await http().put('/api/v1/calendar/2027').set('Authorization', admin).send({ days: ARRANGEMENT_2027 }).expect(200)).body;
    expect(again.deadlinesChanged).toBe(0);
    const corrected = ARRANGEMENT_2027.filter((d) => d.date !== '2027-01-31');
    const correction = (await http().put('/api/v1/calendar/2027').set('Authorization', admin).send({ days: corrected }).expect(200)).body;
    expect(correction.deadlinesChanged).toBe(1);
    expect((await deadlineEvents(db.url, earlier.id)).map((e) => [e.data.previousRectifyDueAt, e.data.rectifyDueAt])).toEqual([
      ['2027-02-04T15:59:59.999Z', '2027-02-03T15:59:59.999Z'],
      ['2027-02-03T15:59:59.999Z', '2027-02-15T15:59:59.999Z'], // without the 01-31 make-up day: over 春节 to Mon 02-15
    ]);
    expect((await getCase(earlier.id)).timeline.filter((e) => e.action === 'deadline-changed')).toHaveLength(2);
    now.mockRestore();
  });

  it('once 2027 is confirmed the warnings stop', async () => {
    now.mockReturnValue(new Date('2026-11-03T01:00:00Z'));
    const lines = calendarLogLines();
    const settled = (await http().get('/health').expect(200)).body;
    expect(settled.warnings).toBeUndefined();
    expect(await gauge('calendar_next_year_confirmed')).toBe(1);
    expect(await gauge('calendar_warning')).toBe(0);
    expect(calendarLogLines()).toBe(lines);
  });

  it('a newer package is picked up at start-up: a new year becomes PUBLISHED and moves deadlines; a confirmed year is kept and the difference reported', async () => {
    now.mockRestore();
    // Tue 2027-12-28: Dec 29, 30, 31, (元旦 on Sat, Sun), Mon Jan 3 off (元旦's 补假), Tue Jan 4, Wed Jan 5
    // → due 2028-01-05, provisional (2028 is not published).
    const into2028 = await openCase(app, supervisor, reviewEvent({ receivedAt: '2027-12-28T10:00:00+08:00' }));
    expect(into2028).toMatchObject({ rectifyDueAt: '2028-01-05T15:59:59.999Z', deadlineProvisional: true });
    await app.close();

    const published2027: CalendarYearSeed = {
      year: 2027,
      holidays: ['2027-01-01', '2027-01-02', '2027-01-03'],
      makeUpWorkdays: [],
      names: { '2027-01-01': '元旦', '2027-01-02': '元旦', '2027-01-03': '元旦' },
    };
    const published2028: CalendarYearSeed = {
      year: 2028,
      holidays: ['2028-01-01', '2028-01-02', '2028-01-03', '2028-01-04'],
      makeUpWorkdays: [],
      names: {},
    };
    const newer: PublishedCalendar = { source: 'chinese-days 1.6.0', years: () => [...UP_TO_2026.years(), published2027, published2028] };
    app = await startTestService(RectificationModule, RECTIFICATION_APP, (b) => b.overrideProvider(PUBLISHED_CALENDAR).useValue(newer));

    const y2028 = (await http().get('/api/v1/calendar/2028').set('Authorization', admin).expect(200)).body;
    expect(y2028).toMatchObject({
      status: 'PUBLISHED',
      provisional: false,
      source: 'chinese-days 1.6.0',
      holidays: published2028.holidays,
    });
    const moved = await getCase(into2028.id);
    expect(moved).toMatchObject({ rectifyDueAt: '2028-01-06T15:59:59.999Z', deadlineProvisional: false });
    expect(moved.timeline.at(-1)).toMatchObject({
      action: 'deadline-changed',
      data: { calendarChange: 'PUBLISHED', calendarYear: 2028, previous: { rectifyDueAt: '2028-01-05T15:59:59.999Z' } },
    });
    expect((await deadlineEvents(db.url, into2028.id)).map((e) => e.data.calendarChange)).toEqual(['PUBLISHED']);

    const y2027 = (await http().get('/api/v1/calendar/2027').set('Authorization', admin).expect(200)).body;
    expect(y2027).toMatchObject({ status: 'CONFIRMED', source: 'admin' });
    expect(y2027.holidays).toContain('2027-02-12'); // the confirmed arrangement stays in force
    expect(y2027.publishedDifference).toMatchObject({
      year: 2027,
      source: 'chinese-days 1.6.0',
      onlyPublished: [],
      onlyConfirmed: expect.arrayContaining(['2027-01-04 HOLIDAY', '2027-01-09 WORKDAY', '2027-02-04 HOLIDAY']),
    });
    const health = (await http().get('/health').expect(200)).body;
    expect(health.warnings).toEqual([
      expect.objectContaining({ name: 'calendar', details: expect.objectContaining({ year: 2027, publishedDiffers: true }) }),
    ]);
    const metrics = (await http().get('/metrics').set('Authorization', METRICS_AUTH).expect(200)).text;
    expect(metrics).toMatch(/^calendar_published_differs\{year="2027"\} 1$/m);
  });
});
