import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HotlineClientPrincipal } from '#libs/auth';
import { DataCipher, DomainError, ErrorCode, maskFreeTextFields, sealContact } from '#libs/common';
import { createCloudEvent, EventSources, EventTypes, gradeOfHotline, type ReviewSubmittedData, Topics } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { bodyHash } from '../ratings/rating-rules.js';
import { RegistryService } from '../registry/registry.service.js';
import type { HotlineComplaintDto } from './dto/hotline-complaint.dto.js';

export interface ComplaintReceipt {
  id: string;
  ticketId: string;
  status: 'ACCEPTED';
  duplicate: boolean;
}

/**
 * 12345 转办: stored as a review on channel HOTLINE_12345 — BAD for a complaint, NONE for a request,
 * suggestion or consultation (no review grade) — whose gov.review.submitted event opens a rectification
 * case. Idempotent on (hotline client, ticketId); another body for a known ticket → 409 TICKET_CONFLICT.
 * ratedAt = receivedAt = transferredAt (quarters and the deadline clock follow the
 * transfer to the unit); the hotline's own receipt time is kept as hotlineReceivedAt.
 */
@Injectable()
export class HotlineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly registry: RegistryService,
    private readonly cipher: DataCipher,
  ) {}

  async receive(client: HotlineClientPrincipal, dto: HotlineComplaintDto): Promise<ComplaintReceipt> {
    const transferredAt = new Date(dto.transferredAt);
    const hotlineReceivedAt = new Date(dto.receivedAt);
    const grade = gradeOfHotline(dto.category);
    const hash = bodyHash(dto);
    const unit = await this.registry.findUnit(dto.unitCode);
    if (!unit) throw DomainError.validation([{ field: 'unitCode', message: `unknown unit ${dto.unitCode}` }]);
    const id = randomUUID();
    // A phone or ID-card number in the complaint's text is masked; the original is sealed with the citizen's contact.
    const text = maskFreeTextFields({ content: dto.content });
    const content = text.masked.content!;
    const contact = sealContact(this.cipher, dto.citizen, text.originals);
    const dueAt = dto.dueAt ? new Date(dto.dueAt) : null;

    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO reviews (id, unit_code, channel, service_item_code, service_item_name, level, grade, tags, comment,
           contact_sealed, contact_masked_name, contact_masked_phone, rated_at, received_at, hotline_received_at,
           ticket_id, hotline_client_id, category, due_at, body_hash)
         VALUES ($1, $2, 'HOTLINE_12345', $3, $4, NULL, $16, '{}', $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (hotline_client_id, ticket_id) WHERE channel = 'HOTLINE_12345' DO NOTHING
         RETURNING id`,
        [
          id,
          unit.code,
          dto.serviceItemCode ?? null,
          dto.serviceItemName ?? null,
          content,
          contact.sealed,
          contact.maskedName,
          contact.maskedPhone,
          transferredAt,
          hotlineReceivedAt,
          dto.ticketId,
          client.clientId,
          dto.category,
          dueAt,
          hash,
          grade,
        ],
      )) as Array<{ id: string }>;
      if (inserted.length === 0) {
        // The same client's ticket again: an identical body is a retry, another body a conflict.
        const [existing] = (await manager.query(
          `SELECT id, body_hash FROM reviews WHERE hotline_client_id = $1 AND ticket_id = $2 AND channel = 'HOTLINE_12345'`,
          [client.clientId, dto.ticketId],
        )) as Array<{ id: string; body_hash: string }>;
        if (existing!.body_hash !== hash) {
          throw new DomainError(ErrorCode.TicketConflict, `Ticket ${dto.ticketId} has already been transferred with different content.`, [
            { field: 'ticketId', message: 'has already been transferred with a different body' },
          ]);
        }
        return { id: existing!.id, ticketId: dto.ticketId, status: 'ACCEPTED', duplicate: true };
      }
      const data: ReviewSubmittedData = {
        reviewId: id,
        unitCode: unit.code,
        unitName: unit.name,
        channel: 'HOTLINE_12345',
        level: null,
        grade,
        tags: [],
        serviceItemCode: dto.serviceItemCode ?? null,
        serviceItemName: dto.serviceItemName ?? null,
        serviceRecordId: null,
        windowNo: null,
        staffId: null,
        comment: content,
        ratedAt: transferredAt.toISOString(),
        receivedAt: transferredAt.toISOString(),
        suspect: false,
        suspectReason: null,
        ticketId: dto.ticketId,
        hotlineClientId: client.clientId,
        category: dto.category,
        dueAt: dueAt?.toISOString() ?? null,
        contact,
        hotlineReceivedAt: hotlineReceivedAt.toISOString(),
      };
      await this.outbox.add(manager, {
        topic: Topics.ReviewsSubmitted,
        key: unit.code,
        event: createCloudEvent({ type: EventTypes.ReviewSubmitted, source: EventSources.Intake, subject: id, data }),
      });
      return { id, ticketId: dto.ticketId, status: 'ACCEPTED', duplicate: false };
    });
  }
}
