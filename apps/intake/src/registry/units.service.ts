import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '#libs/auth';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource, type Repository } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { Events, Topics, type UnitRegisteredData } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import type { CreateUnitDto } from './dto/registry.dto.js';
import { UnitEntity } from './registry.entities.js';

/** Units (单位): registered once, looked up by code on every rating (cached). */
@Injectable()
export class UnitsService {
  /** Units by code, looked up again (in the background, as credentials) after 5 s. */
  private readonly unitCache = new LRUCache<string, { unit: UnitEntity | null }>({
    max: 10_000,
    ttl: 5_000,
    allowStale: true,
    fetchMethod: async (code) => ({ unit: await this.units.findOneBy({ code }) }),
  });

  constructor(
    @InjectRepository(UnitEntity) private readonly units: Repository<UnitEntity>,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Registers a unit and, in the same transaction, its gov.unit.registered event (statistics lists every registered unit) and audit entry. */
  async createUnit(admin: UserPrincipal, dto: CreateUnitDto): Promise<UnitEntity> {
    const unit = await this.dataSource.transaction(async (manager) => {
      const [created] = await manager.query<UnitEntity[]>(
        `INSERT INTO units (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING code, name, created_at AS "createdAt"`,
        [dto.code, dto.name],
      );
      if (!created) throw new DomainError(ErrorCode.Conflict, `Unit ${dto.code} already exists.`);
      const data: UnitRegisteredData = { unitCode: created.code, unitName: created.name, registeredAt: created.createdAt.toISOString() };
      await this.outbox.add(manager, {
        topic: Topics.ReviewsSubmitted,
        key: created.code,
        event: Events.unitRegistered(data, { subject: created.code }),
      });
      await writeAdminAudit(manager, admin, 'UNIT_CREATED', auditSummaries.unitCreated(created.code, created.name), {
        unitCode: created.code,
        unitName: created.name,
      });
      return this.units.create(created);
    });
    this.unitCache.delete(unit.code);
    return unit;
  }

  listUnits(): Promise<UnitEntity[]> {
    return this.units.find({ order: { code: 'ASC' } });
  }

  async findUnit(code: string): Promise<UnitEntity | null> {
    return (await this.unitCache.fetch(code))?.unit ?? null;
  }

  async requireUnit(code: string): Promise<UnitEntity> {
    const unit = await this.findUnit(code);
    if (!unit) throw DomainError.validation([{ field: 'unitCode', message: `unknown unit ${code}` }]);
    return unit;
  }
}
