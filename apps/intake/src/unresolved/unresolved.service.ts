import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertUnitAccess, type UserPrincipal } from '#libs/auth';
import { DataCipher, maskFreeTextFields, sealContact } from '#libs/common';
import { Events, Topics, type UnresolvedReportedData } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { UnitsService } from '../registry/units.service.js';
import type { UnresolvedReportDto } from './dto/unresolved-report.dto.js';
import { UnresolvedReportResponseDto } from './dto/unresolved-report.response.js';
import { UnresolvedReportEntity } from './unresolved-report.entity.js';

/** 办不成事 reports: stored for the operator's own unit, with the event that opens an UNRESOLVED case. */
@Injectable()
export class UnresolvedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly units: UnitsService,
    private readonly cipher: DataCipher,
  ) {}

  async report(user: UserPrincipal, dto: UnresolvedReportDto): Promise<UnresolvedReportResponseDto> {
    const unitCode = user.unitCode!;
    if (dto.unitCode !== undefined) assertUnitAccess(user, dto.unitCode);
    const unit = await this.units.requireEnabledUnit(unitCode);
    // A phone or ID-card number in the description is masked; the original is sealed with the citizen's contact.
    const text = maskFreeTextFields({ description: dto.description });
    const contact = sealContact(this.cipher, dto.citizen, text.originals);
    const entity: UnresolvedReportEntity = Object.assign(new UnresolvedReportEntity(), {
      id: randomUUID(),
      unitCode: unit.code,
      matter: dto.matter,
      description: text.masked.description!,
      serviceItemCode: dto.serviceItemCode ?? null,
      contactSealed: contact.sealed,
      contactMaskedName: contact.maskedName,
      contactMaskedPhone: contact.maskedPhone,
      reportedAt: new Date(dto.reportedAt),
      reportedBy: user.sub,
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(UnresolvedReportEntity, entity);
      const data: UnresolvedReportedData = {
        reportId: entity.id,
        unitCode: unit.code,
        unitName: unit.name,
        matter: entity.matter,
        description: entity.description,
        serviceItemCode: entity.serviceItemCode,
        reportedAt: entity.reportedAt.toISOString(),
        reportedBy: entity.reportedBy,
        contact,
      };
      await this.outbox.add(manager, {
        topic: Topics.UnresolvedReported,
        key: unit.code,
        event: Events.unresolvedReported(data, { subject: entity.id }),
      });
    });
    return UnresolvedReportResponseDto.fromEntity(entity, { name: contact.maskedName, phone: contact.maskedPhone });
  }
}
