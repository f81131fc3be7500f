import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { HotlineClientPrincipal } from '#libs/auth';
import { DomainError } from '#libs/common';
import { CaseEntity } from '../cases/case.entity.js';
import { HotlineCallbackEntity } from './hotline.entities.js';
import type { HotlineReply } from './hotline-replies.service.js';

@Injectable()
export class HotlineTicketsService {
  constructor(
    @InjectRepository(CaseEntity) private readonly cases: Repository<CaseEntity>,
    @InjectRepository(HotlineCallbackEntity) private readonly callbacks: Repository<HotlineCallbackEntity>,
  ) {}

  /** `{ ticketId, caseId, status, reply, respondedAt, closedAt }` plus the reply's delivery state; another client's ticket is 404. */
  async ticket(client: HotlineClientPrincipal, ticketId: string) {
    const found = await this.cases.findOneBy({ ticketId, hotlineClientId: client.clientId, source: 'HOTLINE' });
    if (!found) throw DomainError.notFound(`Ticket ${ticketId}`);
    const callback = await this.callbacks.findOneBy({ caseId: found.id });
    const reply = callback ? (JSON.parse(callback.body) as HotlineReply) : null;
    return {
      ticketId,
      caseId: found.id,
      status: found.status,
      outcome: found.outcome,
      reply: reply?.reply ?? null,
      replyId: reply?.replyId ?? null,
      replyDelivery: callback
        ? { status: callback.status, attempts: callback.attempts, deliveredAt: callback.deliveredAt?.toISOString() ?? null }
        : null,
      respondedAt: found.respondedAt?.toISOString() ?? null,
      responseDueAt: found.responseDueAt.toISOString(),
      rectifyDueAt: found.rectifyDueAt.toISOString(),
      closedAt: found.closedAt?.toISOString() ?? null,
    };
  }
}
