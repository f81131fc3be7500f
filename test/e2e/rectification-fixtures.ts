import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Client } from 'pg';
import { DataCipher, sealContact } from '#libs/common';
import {
  type CloudEvent,
  eventFactory,
  Events,
  EventTypes,
  type HotlineClientData,
  type ReviewSubmittedData,
  Topics,
  type UnresolvedReportedData,
} from '#libs/contracts';
import { eventually, publishToBus, reviewSubmittedData } from '#libs/testing';

/** Feeds events into rectification through the embedded bus, as intake's relay would. */
export const publish = publishToBus;

export function cipher(): DataCipher {
  return new DataCipher(process.env.DATA_ENCRYPTION_KEY!);
}

export function reviewEvent(overrides: Partial<ReviewSubmittedData> = {}, contact = { name: '张三', phone: '13800138000' }) {
  const data = reviewSubmittedData({
    level: 2,
    tags: ['EFFICIENCY'],
    serviceItemCode: '310105-XK-0001',
    serviceItemName: '食品经营许可',
    serviceRecordId: `CN-${randomUUID().slice(0, 8)}`,
    windowNo: 'A03',
    staffId: 'E1024',
    comment: '等了很久',
    contact: sealContact(cipher(), contact),
    ...overrides,
  });
  return Events.reviewSubmitted(data, { subject: data.reviewId });
}

export function unresolvedEvent(overrides: Partial<UnresolvedReportedData> = {}) {
  const data: UnresolvedReportedData = {
    reportId: randomUUID(),
    unitCode: 'CN-01',
    unitName: '区市场监督管理局',
    matter: '个体工商户营业执照跨区迁移',
    description: '系统不支持跨区迁移',
    serviceItemCode: null,
    reportedAt: new Date().toISOString(),
    reportedBy: 'op-1',
    contact: sealContact(cipher(), { name: '王五', phone: '13700137000' }),
    ...overrides,
  };
  return Events.unresolvedReported(data, { subject: data.reportId });
}

export function hotlineClientEvent(
  data: Omit<HotlineClientData, 'secretSealed'> & { secret: string },
  type: typeof EventTypes.HotlineClientRegistered | typeof EventTypes.HotlineClientRevoked = EventTypes.HotlineClientRegistered,
) {
  const { secret, ...rest } = data;
  return eventFactory(type)({ ...rest, secretSealed: cipher().seal(secret) }, { subject: data.clientId });
}

export type CaseBody = Record<string, unknown> & { id: string; status: string; version: number };

/** Publishes a review event and waits until its case is visible. */
export async function openCase(app: INestApplication, auth: string, event: CloudEvent<ReviewSubmittedData>): Promise<CaseBody> {
  await publish(app, Topics.ReviewsSubmitted, event.data.unitCode, event);
  const page = await eventually(
    async () =>
      (await request(app.getHttpServer()).get('/api/v1/cases?pageSize=200').set('Authorization', auth).expect(200)).body as {
        items: CaseBody[];
      },
    (p) => p.items.some((c) => c.reviewId === event.data.reviewId),
  );
  return page.items.find((c) => c.reviewId === event.data.reviewId)!;
}

/** The lifecycle events of one case in the outbox, in order. */
export async function outboxTypes(url: string, caseId: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ type: string }>(
      `SELECT payload->>'type' AS type FROM rectification.outbox WHERE topic = $1 AND payload->>'subject' = $2 ORDER BY id`,
      [Topics.CasesLifecycle, caseId],
    );
    return rows.rows.map((r) => r.type);
  } finally {
    await client.end();
  }
}

export async function sql<T extends object>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}
