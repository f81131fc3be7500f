import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { HotlineClientPrincipal } from '#libs/auth';
import { DataCipher, DomainError, ErrorCode, maskFreeTextFields, sealContact } from '#libs/common';
import { Events, gradeOfHotline, type ReviewSubmittedData, Topics } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { bodyHash } from '../ratings/rating-rules.js';
import { assertUnitEnabled, UnitsService } from '../registry/units.service.js';
import type { ComplaintReceiptDto } from './dto/hotline-complaint.response.js';
import type { HotlineComplaintDto } from './dto/hotline-complaint.dto.js';
import { HotlineRepository } from './hotline.repository.js';

export type ComplaintReceipt = ComplaintReceiptDto;

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
    private readonly repository: HotlineRepository,
    private readonly outbox: OutboxService,
    private readonly units: UnitsService,
    private readonly cipher: DataCipher,
  ) {}

  async receive(client: HotlineClientPrincipal, dto: HotlineComplaintDto): Promise<ComplaintReceipt> {
    const transferredAt = new Date(dto.transferredAt);
    const hotlineReceivedAt = new Date(dto.receivedAt);
    const grade = gradeOfHotline(dto.category);
    const hash = bodyHash(dto);
    const unit = await this.units.findUnit(dto.unitCode);
    if (!unit) throw DomainError.validation([{ field: 'unitCode', message: `unknown unit ${dto.unitCode}` }]);
    assertUnitEnabled(unit, 'unitCode');
    const id = randomUUID();
    // A phone or ID-card number in the complaint's text is masked; the original is sealed with the citizen's contact.
    const text = maskFreeTextFields({ content: dto.content });
    const content = text.masked.content!;
    const contact = sealContact(this.cipher, dto.citizen, text.originals);
    const dueAt = dto.dueAt ? new Date(dto.dueAt) : null;

    return this.repository.transaction(async (manager) => {
      const stored = await this.repository.insert(manager, {
        id,
        unitCode: unit.code,
        serviceItemCode: dto.serviceItemCode ?? null,
        serviceItemName: dto.serviceItemName ?? null,
        grade,
        content,
        contact,
        transferredAt,
        hotlineReceivedAt,
        ticketId: dto.ticketId,
        clientId: client.clientId,
        category: dto.category,
        dueAt,
        bodyHash: hash,
      });
      if (!stored) {
        // The same client's ticket again: an identical body is a retry, another body a conflict.
        const existing = await this.repository.findTicket(manager, client.clientId, dto.ticketId);
        if (existing!.bodyHash !== hash) {
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
        event: Events.reviewSubmitted(data, { subject: id }),
      });
      return { id, ticketId: dto.ticketId, status: 'ACCEPTED', duplicate: false };
    });
  }
}
