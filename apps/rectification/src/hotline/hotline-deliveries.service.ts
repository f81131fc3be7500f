import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DeliveryState, HotlineClientDeliveriesDto, HotlineDeliveriesDto } from './dto/hotline-deliveries.dto.js';

interface Row {
  client_id: string;
  name: string | null;
  callback_url: string | null;
  revoked: boolean | null;
  delivered: number;
  pending: number;
  failing: number;
  undeliverable: number;
  last_attempt_at: Date | null;
  last_delivered_at: Date | null;
  next_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
}

/** The delivery status of hotline replies per 12345 client, from the dispatcher's outbox (`hotline_callbacks`). */
@Injectable()
export class HotlineDeliveriesService {
  constructor(private readonly dataSource: DataSource) {}

  async byClient(): Promise<HotlineDeliveriesDto> {
    // Every client known here, and any client that replies wait for before its registration has arrived.
    const rows = await this.dataSource.query<Row[]>(
      `WITH ids AS (SELECT client_id FROM hotline_clients UNION SELECT DISTINCT client_id FROM hotline_callbacks),
       counts AS (
         SELECT client_id,
           count(*) FILTER (WHERE status = 'DELIVERED')::int AS delivered,
           count(*) FILTER (WHERE status = 'PENDING' AND last_error IS NULL)::int AS pending,
           count(*) FILTER (WHERE status = 'PENDING' AND last_error IS NOT NULL)::int AS failing,
           count(*) FILTER (WHERE status = 'NO_CALLBACK')::int AS undeliverable,
           max(last_attempt_at) AS last_attempt_at,
           max(delivered_at) AS last_delivered_at,
           min(next_attempt_at) FILTER (WHERE status = 'PENDING') AS next_attempt_at
         FROM hotline_callbacks GROUP BY client_id),
       last_failure AS (
         SELECT DISTINCT ON (client_id) client_id, last_status, last_error
         FROM hotline_callbacks WHERE status = 'PENDING' AND last_error IS NOT NULL
         ORDER BY client_id, last_attempt_at DESC NULLS LAST, created_at DESC)
       SELECT ids.client_id, hc.name, hc.callback_url, hc.revoked,
         coalesce(c.delivered, 0) AS delivered, coalesce(c.pending, 0) AS pending, coalesce(c.failing, 0) AS failing,
         coalesce(c.undeliverable, 0) AS undeliverable, c.last_attempt_at, c.last_delivered_at, c.next_attempt_at,
         f.last_status, f.last_error
       FROM ids
       LEFT JOIN hotline_clients hc ON hc.client_id = ids.client_id
       LEFT JOIN counts c ON c.client_id = ids.client_id
       LEFT JOIN last_failure f ON f.client_id = ids.client_id
       ORDER BY hc.name NULLS LAST, ids.client_id`,
    );
    return { items: rows.map(view) };
  }
}

function stateOf(r: Row): DeliveryState {
  if (r.failing > 0) return 'FAILING';
  if (r.pending > 0) return 'PENDING';
  if (r.delivered > 0) return 'DELIVERED';
  return 'NONE';
}

function view(r: Row): HotlineClientDeliveriesDto {
  return {
    clientId: r.client_id,
    name: r.name,
    callbackUrl: r.callback_url,
    revoked: r.revoked ?? false,
    state: stateOf(r),
    delivered: r.delivered,
    pending: r.pending,
    failing: r.failing,
    undeliverable: r.undeliverable,
    lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
    lastDeliveredAt: r.last_delivered_at?.toISOString() ?? null,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
    lastStatus: r.last_status,
    lastError: r.last_error,
  };
}
