import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { assertUnitAccess, type UserPrincipal } from '#libs/auth';
import { DataCipher, DomainError, ErrorCode, type FieldError } from '#libs/common';
import { type CasePublicationData, Events, Topics } from '#libs/contracts';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { rectificationAuditSummaries } from '../audit-summaries.js';
import { CaseEntity, CaseTimelineEntry } from '../cases/case.entity.js';
import type { PublicationDto, SetPublicationDto } from './dto/publication.dto.js';
import { canBePublished, defaultPublishedMatter, personalDataIn } from './publication-rules.js';

/**
 * The unit's choice, per closed case, of what may be published as a 以评促改 example. The texts are
 * checked for personal data, stored on the case, recorded in its timeline and sent to statistics
 * (gov.case.publication-changed) in one transaction.
 */
@Injectable()
export class PublicationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly cipher: DataCipher,
  ) {}

  async set(user: UserPrincipal, caseId: string, dto: SetPublicationDto, now = new Date()): Promise<PublicationDto> {
    return this.dataSource.transaction(async (manager) => {
      const c = await manager.findOne(CaseEntity, { where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw DomainError.notFound(`Case ${caseId}`);
      assertUnitAccess(user, c.unitCode);
      let matter: string | null = null;
      let measures: string | null = null;
      if (dto.publishable) {
        if (!canBePublished(c.status, c.outcome)) {
          throw new DomainError(ErrorCode.InvalidTransition, 'Only a case closed with its rectification or explanation can be published.');
        }
        matter = dto.matter?.trim() || defaultPublishedMatter(c.source, c.matter);
        measures = dto.measures?.trim() || (await this.lastMeasures(manager, c.id));
        const errors: FieldError[] = [];
        const known = { staffId: typeof c.matter.staffId === 'string' ? c.matter.staffId : null, reviewerName: this.reviewerName(c) };
        if (!matter) errors.push({ field: 'matter', message: 'is required for this case: word the matter for the public' });
        else for (const message of personalDataIn(matter, known)) errors.push({ field: 'matter', message });
        if (!measures) errors.push({ field: 'measures', message: 'is required: the case has no rectification measures to publish' });
        else for (const message of personalDataIn(measures, known)) errors.push({ field: 'measures', message });
        if (errors.length) throw DomainError.validation(errors);
      }
      const updated = await manager
        .createQueryBuilder()
        .update(CaseEntity)
        .set({
          publishable: dto.publishable,
          publishedMatter: matter,
          publishedMeasures: measures,
          publicationChangedAt: now,
        } as QueryDeepPartialEntity<CaseEntity>)
        .where('id = :id AND version = :version', { id: c.id, version: c.version })
        .execute();
      if (updated.affected !== 1)
        throw new DomainError(ErrorCode.Conflict, 'The case was changed at the same time; reload it and try again.');
      const saved = await manager.findOneByOrFail(CaseEntity, { id: c.id });
      await manager.insert(CaseTimelineEntry, {
        caseId: saved.id,
        action: 'publication',
        actor: user.sub,
        actorRole: user.role,
        note: null,
        data: { publishable: saved.publishable, matter, measures, version: saved.version },
        at: now,
      } as QueryDeepPartialEntity<CaseTimelineEntry>);
      const data: CasePublicationData = {
        caseId: saved.id,
        unitCode: saved.unitCode,
        unitName: saved.unitName,
        source: saved.source,
        publishable: saved.publishable,
        matter,
        measures,
        outcome: saved.outcome,
        openedAt: saved.openedAt.toISOString(),
        closedAt: saved.closedAt?.toISOString() ?? null,
        version: saved.version,
      };
      await this.outbox.add(manager, {
        topic: Topics.CasesPublication,
        key: saved.unitCode,
        event: Events.casePublicationChanged(data, { subject: saved.id, time: now }),
      });
      await this.outbox.add(
        manager,
        auditOutboxEntry({
          service: 'Rectification',
          actor: user,
          action: 'CASE_PUBLICATION_CHANGED',
          summary: rectificationAuditSummaries.publicationChanged(saved, saved.publishable),
          detail: { caseId: saved.id, unitCode: saved.unitCode, publishable: saved.publishable, matter, measures },
          key: saved.unitCode,
          at: now,
        }),
      );
      return publicationView(saved);
    });
  }

  /** The measures of the case's latest rectify (what it told the citizen). */
  private async lastMeasures(manager: EntityManager, caseId: string): Promise<string | null> {
    const latest = await manager.findOne(CaseTimelineEntry, { where: { caseId, action: 'rectify' }, order: { id: 'DESC' } });
    return latest?.note?.trim() || null;
  }

  private reviewerName(c: CaseEntity): string | null {
    if (!c.contactSealed) return null;
    try {
      const contact = JSON.parse(this.cipher.open(c.contactSealed)) as { name?: unknown };
      return typeof contact.name === 'string' ? contact.name : null;
    } catch {
      return null;
    }
  }
}

export function publicationView(c: CaseEntity): PublicationDto {
  return {
    caseId: c.id,
    publishable: c.publishable,
    matter: c.publishedMatter,
    measures: c.publishedMeasures,
    changedAt: c.publicationChangedAt?.toISOString() ?? null,
  };
}
