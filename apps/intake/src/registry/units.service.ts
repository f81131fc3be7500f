import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '#libs/auth';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource, type Repository } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { Events, Topics, type UnitRegisteredData, type UnitUpdatedData } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import type { CreateUnitDto, UpdateUnitDto } from './dto/registry.dto.js';
import { UnitEntity } from './registry.entities.js';

/** A unit's row as the registry's statements return it. */
const UNIT_COLUMNS = `code, name, created_at AS "createdAt", disabled_at AS "disabledAt"`;

/**
 * Refuses anything new for a disabled unit (409 UNIT_DISABLED): ratings of every channel, 12345 transfers,
 * 办不成事 reports, imports, new devices and pairing. `field` names the request's field that chose the unit,
 * when one did (a PAD's unit comes from its registration, not from its body).
 */
export function assertUnitEnabled(unit: Pick<UnitEntity, 'code' | 'name' | 'disabledAt'>, field?: string): void {
  if (!unit.disabledAt) return;
  throw new DomainError(
    ErrorCode.UnitDisabled,
    `Unit ${unit.code} is disabled: it accepts no new ratings, reports or devices until an admin enables it again.`,
    field ? [{ field, message: 'UNIT_DISABLED: the unit is disabled' }] : [],
  );
}

/**
 * Units (单位): registered once, renamed or disabled by admins, looked up by code on every rating (cached: a
 * change made on another instance applies there within about 5 s).
 */
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
        `INSERT INTO units (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING ${UNIT_COLUMNS}`,
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

  /**
   * Renames, disables or enables a unit again (PATCH /units/{code}); the code never changes and its history
   * stays. A change commits with its gov.unit.updated event (statistics and rectification learn the name and
   * status from it) and its audit entry; a request that changes nothing writes nothing.
   */
  async updateUnit(admin: UserPrincipal, code: string, dto: UpdateUnitDto, now = new Date()): Promise<UnitEntity> {
    const unit = await this.dataSource.transaction(async (manager) => {
      const [current] = await manager.query<UnitEntity[]>(`SELECT ${UNIT_COLUMNS} FROM units WHERE code = $1 FOR UPDATE`, [code]);
      if (!current) throw DomainError.notFound(`Unit ${code}`);
      const name = dto.name ?? current.name;
      const disabledAt = dto.disabled === undefined ? current.disabledAt : dto.disabled ? (current.disabledAt ?? now) : null;
      const renamed = name !== current.name;
      const statusChanged = (current.disabledAt === null) !== (disabledAt === null);
      if (!renamed && !statusChanged) return this.units.create(current);
      await manager.query(`UPDATE units SET name = $2, disabled_at = $3 WHERE code = $1`, [code, name, disabledAt]);
      const data: UnitUpdatedData = {
        unitCode: code,
        unitName: name,
        disabled: disabledAt !== null,
        disabledAt: disabledAt?.toISOString() ?? null,
        updatedAt: now.toISOString(),
      };
      await this.outbox.add(manager, { topic: Topics.ReviewsSubmitted, key: code, event: Events.unitUpdated(data, { subject: code }) });
      const change = {
        ...(renamed ? { name: [current.name, name] as const } : {}),
        ...(statusChanged ? { disabled: disabledAt !== null } : {}),
      };
      await writeAdminAudit(manager, admin, 'UNIT_UPDATED', auditSummaries.unitUpdated(code, current.name, change), {
        unitCode: code,
        unitName: name,
        ...(renamed ? { previousName: current.name } : {}),
        ...(statusChanged ? { disabled: disabledAt !== null } : {}),
      });
      return this.units.create({ ...current, name, disabledAt });
    });
    this.unitCache.delete(code);
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

  /** A registered (else 400) and enabled (else 409 UNIT_DISABLED, naming `field` when given) unit. */
  async requireEnabledUnit(code: string, field?: string): Promise<UnitEntity> {
    const unit = await this.requireUnit(code);
    assertUnitEnabled(unit, field);
    return unit;
  }
}
