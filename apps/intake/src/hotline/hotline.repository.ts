import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Grade, HotlineCategory } from '#libs/contracts';

/** A 12345 transfer as it is stored in `reviews` (channel HOTLINE_12345). */
export interface HotlineTransferRow {
  id: string;
  unitCode: string;
  serviceItemCode: string | null;
  serviceItemName: string | null;
  grade: Grade;
  /** The complaint's text, masked. */
  content: string;
  contact: { sealed: string | null; maskedName: string | null; maskedPhone: string | null };
  transferredAt: Date;
  hotlineReceivedAt: Date;
  ticketId: string;
  clientId: string;
  category: HotlineCategory;
  dueAt: Date | null;
  bodyHash: string;
}

/** Where 12345 transfers are stored: one row per (hotline client, ticketId). */
@Injectable()
export class HotlineRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Stores the transfer; false when the client's ticket is already stored (nothing written). */
  async insert(manager: EntityManager, t: HotlineTransferRow): Promise<boolean> {
    const inserted = await manager.query<Array<{ id: string }>>(
      `INSERT INTO reviews (id, unit_code, channel, service_item_code, service_item_name, level, grade, tags, comment,
         contact_sealed, contact_masked_name, contact_masked_phone, rated_at, received_at, hotline_received_at,
         ticket_id, hotline_client_id, category, due_at, body_hash)
       VALUES ($1, $2, 'HOTLINE_12345', $3, $4, NULL, $16, '{}', $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (hotline_client_id, ticket_id) WHERE channel = 'HOTLINE_12345' DO NOTHING
       RETURNING id`,
      [
        t.id,
        t.unitCode,
        t.serviceItemCode,
        t.serviceItemName,
        t.content,
        t.contact.sealed,
        t.contact.maskedName,
        t.contact.maskedPhone,
        t.transferredAt,
        t.hotlineReceivedAt,
        t.ticketId,
        t.clientId,
        t.category,
        t.dueAt,
        t.bodyHash,
        t.grade,
      ],
    );
    return inserted.length > 0;
  }

  /** The stored transfer of a client's ticket: its id and the hash of the body it came with. */
  async findTicket(manager: EntityManager, clientId: string, ticketId: string): Promise<{ id: string; bodyHash: string } | undefined> {
    const [row] = await manager.query<Array<{ id: string; body_hash: string }>>(
      `SELECT id, body_hash FROM reviews WHERE hotline_client_id = $1 AND ticket_id = $2 AND channel = 'HOTLINE_12345'`,
      [clientId, ticketId],
    );
    return row && { id: row.id, bodyHash: row.body_hash };
  }
}
