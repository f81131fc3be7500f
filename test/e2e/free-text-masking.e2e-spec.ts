import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type Contact, DataCipher, maskFreeText } from '#libs/common';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  eventually,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const PHONE = '13812340000';
const LANDLINE = '021-62345678';
const ID_CARD = '11010119900307123X';

describe('personal numbers inside free text: masked in every response, event and store; the original sealed and revealed only through reveal-contact', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let pg: Client;
  let device: Credential;
  let client: Credential;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const cipher = () => new DataCipher(process.env.DATA_ENCRYPTION_KEY!);
  const noPersonalNumbers = (text: string) => {
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain('62345678');
    expect(text).not.toContain(ID_CARD);
  };

  beforeAll(async () => {
    db = await createTestDatabase('free_text_masking');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await request(intake.getHttpServer()).post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '一' }).expect(201);
    const d = await request(intake.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'A1' })
      .expect(201);
    device = { id: d.body.deviceId, secret: d.body.secret };
    const c = await request(intake.getHttpServer())
      .post('/api/v1/hotline-clients')
      .set('Authorization', admin)
      .send({ name: '12345' })
      .expect(201);
    client = { id: c.body.clientId, secret: c.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close()]);
    await db?.drop();
  });

  it('masks mobile, landline and ID-card numbers and leaves other digits alone', () => {
    expect(maskFreeText(`请回电${PHONE}`)).toBe('请回电138****0000');
    expect(maskFreeText('电话 +86 138-1234-0000，谢谢')).toBe('电话 138****0000，谢谢');
    expect(maskFreeText(`座机${LANDLINE}或(010)87654321`)).toBe('座机021-****5678或(010)-****4321');
    expect(maskFreeText(`身份证${ID_CARD}号`)).toBe('身份证1101**********123X号');
    expect(maskFreeText('等了40分钟，排队号A1024，收费1380元')).toBe('等了40分钟，排队号A1024，收费1380元');
    expect(maskFreeText('订单号20241120123456789012')).toBe('订单号20241120123456789012');
  });

  it('a rating comment: masked in the row, the response, the event and the case; revealed with the contact to the unit operator, audited', async () => {
    const comment = `请回电${PHONE}，座机${LANDLINE}，身份证${ID_CARD}`;
    const body = JSON.stringify({
      serviceRecordId: 'MASK-1',
      serviceItemCode: 'X-1',
      level: 1,
      comment,
      ratedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const created = await request(intake.getHttpServer())
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
    const masked = '请回电138****0000，座机021-****5678，身份证1101**********123X';

    const row = (await pg.query('SELECT comment, contact_sealed FROM intake.reviews WHERE id = $1', [created.body.id])).rows[0];
    expect(row.comment).toBe(masked);
    expect(cipher().openJson<Contact>(row.contact_sealed)).toEqual({ name: null, phone: null, freeText: { comment } });
    const view = await request(intake.getHttpServer())
      .get(`/api/v1/ratings/${created.body.id}`)
      .set('Authorization', supervisor)
      .expect(200);
    expect(view.body.comment).toBe(masked);
    const events = (await pg.query(`SELECT payload FROM intake.outbox WHERE payload->>'subject' = $1`, [created.body.id])).rows;
    expect(events).toHaveLength(1);
    expect(events[0].payload.data.comment).toBe(masked);
    noPersonalNumbers(JSON.stringify(events[0].payload));

    // An identical retry is still recognised (the body hash is of what was sent).
    await request(intake.getHttpServer())
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(200);

    const kase = await eventually(
      async () => (await request(rectification.getHttpServer()).get('/api/v1/cases').set('Authorization', supervisor).expect(200)).body,
      (p: { items: Array<{ id: string; reviewId: string; matter: { comment: string } }> }) =>
        p.items.some((c) => c.reviewId === created.body.id),
    );
    const opened = kase.items.find((c) => c.reviewId === created.body.id)!;
    expect(opened.matter.comment).toBe(masked);

    // Case notes: masked in the timeline and the lifecycle event; sealed original in the entry, not shown.
    const cases = rectification.getHttpServer();
    await request(cases).post(`/api/v1/cases/${opened.id}/accept`).set('Authorization', operator).send({}).expect(200);
    const note = `已按${PHONE}回电`;
    await request(cases)
      .post(`/api/v1/cases/${opened.id}/respond`)
      .set('Authorization', operator)
      .send({ contactedAt: new Date().toISOString(), method: 'PHONE', note })
      .expect(200);
    const full = (await request(cases).get(`/api/v1/cases/${opened.id}`).set('Authorization', supervisor).expect(200)).body;
    const responded = full.timeline.find((e: { action: string }) => e.action === 'respond');
    expect(responded.note).toBe('已按138****0000回电');
    noPersonalNumbers(JSON.stringify(full));
    const lifecycle = (await pg.query(`SELECT payload FROM rectification.outbox WHERE payload->>'subject' = $1`, [opened.id])).rows;
    expect(lifecycle.length).toBeGreaterThanOrEqual(3);
    for (const e of lifecycle) noPersonalNumbers(JSON.stringify(e.payload));

    const revealed = (
      await request(cases)
        .post(`/api/v1/cases/${opened.id}/reveal-contact`)
        .set('Authorization', operator)
        .send({ reason: '回访评价人核实情况' })
        .expect(200)
    ).body;
    expect(revealed).toEqual({
      name: null,
      phone: null,
      freeText: { comment },
      notes: [{ action: 'respond', at: responded.at, text: { note } }],
    });
    await request(cases)
      .post(`/api/v1/cases/${opened.id}/reveal-contact`)
      .set('Authorization', supervisor)
      .send({ reason: '回访评价人核实情况' })
      .expect(403);
    const audited = (await request(cases).get(`/api/v1/cases/${opened.id}`).set('Authorization', supervisor).expect(200)).body;
    expect(audited.timeline.at(-1)).toMatchObject({
      action: 'reveal-contact',
      actor: 'op-1',
      data: { fields: ['freeText.comment', 'notes'] },
    });
  });

  it('a hotline complaint content and a 办不成事 description are masked too, originals sealed with the citizen', async () => {
    const content = `市民${PHONE}反映态度差`;
    const complaint = JSON.stringify({
      ticketId: 'T-MASK-1',
      unitCode: 'CN-01',
      category: 'COMPLAINT',
      content,
      citizen: { name: '李四' },
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      transferredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const accepted = await request(intake.getHttpServer())
      .post('/api/v1/hotline/complaints')
      .set(clientHeaders(client, 'POST', '/api/v1/hotline/complaints', complaint))
      .send(complaint);
    expect(accepted.status).toBe(201);
    const row = (await pg.query('SELECT comment, contact_sealed FROM intake.reviews WHERE id = $1', [accepted.body.id])).rows[0];
    expect(row.comment).toBe('市民138****0000反映态度差');
    expect(cipher().openJson<Contact>(row.contact_sealed)).toEqual({ name: '李四', phone: null, freeText: { content } });

    const description = `群众身份证${ID_CARD}无法核验`;
    const report = await request(intake.getHttpServer())
      .post('/api/v1/unresolved-reports')
      .set('Authorization', operator)
      .send({ matter: '跨区迁移', description, reportedAt: new Date(Date.now() - 60_000).toISOString() })
      .expect(201);
    expect(JSON.stringify(report.body)).not.toContain(ID_CARD);
    const stored = (await pg.query('SELECT description, contact_sealed FROM intake.unresolved_reports WHERE id = $1', [report.body.id]))
      .rows[0];
    expect(stored.description).toBe('群众身份证1101**********123X无法核验');
    expect(cipher().openJson<Contact>(stored.contact_sealed).freeText).toEqual({ description });
    const events = (
      await pg.query(`SELECT payload FROM intake.outbox WHERE payload->>'subject' = ANY($1)`, [[accepted.body.id, report.body.id]])
    ).rows;
    expect(events).toHaveLength(2);
    for (const e of events) noPersonalNumbers(JSON.stringify(e.payload));
  });
});
