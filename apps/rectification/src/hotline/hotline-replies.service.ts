import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseOutcome } from '#libs/contracts';
import { CaseEntity, CaseTimelineEntry } from '../cases/case.entity.js';
import { HotlineCallbackEntity } from './hotline.entities.js';

/** The body POSTed to a hotline client's callbackUrl (and the `reply` of GET /hotline/tickets/{ticketId}). */
export interface HotlineReply {
  /** Stable id of this reply: the receiver dedupes on it (also sent as `X-Reply-Id` / `Idempotency-Key`). */
  replyId: string;
  ticketId: string;
  caseId: string;
  unitCode: string;
  status: 'CLOSED';
  outcome: CaseOutcome | null;
  /** What the unit answers the citizen: its rectification measures or explanation, or the appeal decision. */
  reply: string;
  respondedAt: string | null;
  rectifiedAt: string | null;
  closedAt: string;
}

/**
 * Hotline replies. Rule: one reply per case, frozen at its first closing. The reply row is
 * inserted in the closing transaction with `ON CONFLICT (case_id) DO NOTHING`; CLOSED is terminal
 * in the state machine, and even if a case could close again, the receiver would never get a second,
 * different reply — every retry sends the same bytes with the same reply id.
 */
@Injectable()
export class HotlineRepliesService {
  async enqueue(manager: EntityManager, closed: CaseEntity): Promise<void> {
    if (!closed.ticketId || !closed.hotlineClientId || !closed.closedAt) return;
    const reply = await this.replyText(manager, closed);
    const id = randomUUID();
    const body: HotlineReply = {
      replyId: id,
      ticketId: closed.ticketId,
      caseId: closed.id,
      unitCode: closed.unitCode,
      status: 'CLOSED',
      outcome: closed.outcome,
      reply,
      respondedAt: closed.respondedAt?.toISOString() ?? null,
      rectifiedAt: closed.rectifiedAt?.toISOString() ?? null,
      closedAt: closed.closedAt.toISOString(),
    };
    await manager
      .createQueryBuilder()
      .insert()
      .into(HotlineCallbackEntity)
      .values({ id, caseId: closed.id, ticketId: closed.ticketId, clientId: closed.hotlineClientId, body: JSON.stringify(body) })
      .orIgnore()
      .execute();
  }

  /**
   * The citizen-facing text, never an internal note: the measures of the latest rectify, or — for an
   * upheld appeal — the replyToCitizen that decide-appeal requires on hotline cases.
   */
  private async replyText(manager: EntityManager, closed: CaseEntity): Promise<string> {
    const upheld = closed.outcome === 'APPEAL_UPHELD';
    const latest = await manager.findOne(CaseTimelineEntry, {
      where: { caseId: closed.id, action: upheld ? 'decide-appeal' : 'rectify' },
      order: { id: 'DESC' },
    });
    // A rectify entry's note is its measures (entries written before data.measures existed carry only that).
    const text = upheld ? latest?.data.replyToCitizen : (latest?.data.measures ?? latest?.note);
    return typeof text === 'string' ? text : '';
  }
}
