import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { DataCipher, DomainError, ErrorCode } from '#libs/common';
import { createCloudEvent, EventSources, EventTypes, type HotlineClientData, Topics, type UnitRegisteredData } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import type { HmacCredential, HmacCredentialResolver, HmacKind } from '#libs/auth';
import type { CreateDeviceDto, CreateHotlineClientDto, CreateUnitDto } from './dto/registry.dto.js';
import { DeviceEntity, HotlineClientEntity, UnitEntity } from './registry.entities.js';

/** How long a resolved HMAC credential is trusted: a revocation made on another instance applies within about this long. */
const CREDENTIAL_TTL_MS = 4_000;

export interface DeviceView {
  deviceId: string;
  unitCode: string;
  windowNo: string;
  label: string | null;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
}

export interface HotlineClientView {
  clientId: string;
  name: string;
  callbackUrl: string | null;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Units, PAD devices and hotline clients; also resolves HMAC credentials for the guards. */
@Injectable()
export class RegistryService implements HmacCredentialResolver {
  /**
   * Resolved credentials by `kind:id`. An expired entry is served once more while a single
   * lookup refreshes it in the background (callers of one key share it): a fleet whose entries
   * expire together never stalls its requests queueing on the connection pool.
   */
  private readonly credentials = new LRUCache<string, { credential: HmacCredential | null }>({
    max: 50_000, // devices and hotline clients of a whole province; lru-cache sizes its arrays by this up front
    ttl: CREDENTIAL_TTL_MS,
    allowStale: true,
    fetchMethod: async (key) => {
      const [kind, id] = key.split(':') as [HmacKind, string];
      return { credential: kind === 'device' ? await this.deviceCredential(id) : await this.clientCredential(id) };
    },
  });
  /** Units by code, looked up again (in the background, as credentials) after 5 s. */
  private readonly unitCache = new LRUCache<string, { unit: UnitEntity | null }>({
    max: 10_000,
    ttl: 5_000,
    allowStale: true,
    fetchMethod: async (code) => ({ unit: await this.units.findOneBy({ code }) }),
  });

  constructor(
    @InjectRepository(UnitEntity) private readonly units: Repository<UnitEntity>,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(HotlineClientEntity) private readonly clients: Repository<HotlineClientEntity>,
    private readonly cipher: DataCipher,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Registers a unit and, in the same transaction, its gov.unit.registered event (statistics lists every registered unit). */
  async createUnit(dto: CreateUnitDto): Promise<UnitEntity> {
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
        event: createCloudEvent({ type: EventTypes.UnitRegistered, source: EventSources.Intake, subject: created.code, data }),
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

  async registerDevice(
    dto: CreateDeviceDto,
  ): Promise<{ deviceId: string; secret: string; unitCode: string; windowNo: string; label: string | null }> {
    await this.requireUnit(dto.unitCode);
    const secret = newSecret();
    const device = await this.devices.save(
      this.devices.create({
        unitCode: dto.unitCode,
        windowNo: dto.windowNo,
        label: dto.label ?? null,
        secretSealed: this.cipher.seal(secret),
      }),
    );
    return { deviceId: device.id, secret, unitCode: device.unitCode, windowNo: device.windowNo, label: device.label };
  }

  async revokeDevice(deviceId: string): Promise<DeviceView> {
    const device = await this.devices.findOneBy({ id: deviceId });
    if (!device) throw DomainError.notFound(`Device ${deviceId}`);
    if (!device.revokedAt) {
      device.revokedAt = new Date();
      await this.devices.save(device);
    }
    this.credentials.delete(`device:${deviceId}`);
    return this.deviceView(device);
  }

  async listDevices(unitCode?: string): Promise<DeviceView[]> {
    const rows = await this.devices.find({ where: unitCode ? { unitCode } : {}, order: { createdAt: 'ASC' } });
    return rows.map((d) => this.deviceView(d));
  }

  /** Registers a 12345 client and tells rectification (which signs replies with the secret) through the outbox. */
  async registerHotlineClient(
    dto: CreateHotlineClientDto,
  ): Promise<{ clientId: string; secret: string; name: string; callbackUrl: string | null }> {
    const secret = newSecret();
    const client = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(
        manager.create(HotlineClientEntity, {
          name: dto.name,
          callbackUrl: dto.callbackUrl ?? null,
          secretSealed: this.cipher.seal(secret),
        }),
      );
      await this.emitHotlineClient(manager, EventTypes.HotlineClientRegistered, saved);
      return saved;
    });
    return { clientId: client.id, secret, name: client.name, callbackUrl: client.callbackUrl };
  }

  async revokeHotlineClient(clientId: string): Promise<HotlineClientView> {
    const client = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(HotlineClientEntity, { where: { id: clientId }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw DomainError.notFound(`Hotline client ${clientId}`);
      if (!found.revokedAt) {
        found.revokedAt = new Date();
        await manager.save(found);
        await this.emitHotlineClient(manager, EventTypes.HotlineClientRevoked, found);
      }
      return found;
    });
    this.credentials.delete(`hotline:${clientId}`);
    return this.hotlineClientView(client);
  }

  async listHotlineClients(): Promise<HotlineClientView[]> {
    const rows = await this.clients.find({ order: { createdAt: 'ASC' } });
    return rows.map((c) => this.hotlineClientView(c));
  }

  private async emitHotlineClient(manager: EntityManager, type: string, client: HotlineClientEntity): Promise<void> {
    const data: HotlineClientData = {
      clientId: client.id,
      name: client.name,
      callbackUrl: client.callbackUrl,
      secretSealed: client.secretSealed,
      revoked: client.revokedAt !== null,
    };
    await this.outbox.add(manager, {
      topic: Topics.HotlineClients,
      key: 'hotline',
      event: createCloudEvent({ type, source: EventSources.Intake, subject: client.id, data }),
    });
  }

  private hotlineClientView(c: HotlineClientEntity): HotlineClientView {
    return {
      clientId: c.id,
      name: c.name,
      callbackUrl: c.callbackUrl,
      revoked: c.revokedAt !== null,
      revokedAt: c.revokedAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
    };
  }

  async resolve(kind: HmacKind, id: string): Promise<HmacCredential | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.credentials.fetch(`${kind}:${id}`))?.credential ?? null;
  }

  private async deviceCredential(id: string): Promise<HmacCredential | null> {
    const device = await this.devices.findOneBy({ id });
    if (!device) return null;
    return {
      secret: this.cipher.open(device.secretSealed),
      revoked: device.revokedAt !== null,
      principal: { kind: 'device', deviceId: device.id, unitCode: device.unitCode, windowNo: device.windowNo },
    };
  }

  private async clientCredential(id: string): Promise<HmacCredential | null> {
    const client = await this.clients.findOneBy({ id });
    if (!client) return null;
    return {
      secret: this.cipher.open(client.secretSealed),
      revoked: client.revokedAt !== null,
      principal: { kind: 'hotline', clientId: client.id },
    };
  }

  private deviceView(d: DeviceEntity): DeviceView {
    return {
      deviceId: d.id,
      unitCode: d.unitCode,
      windowNo: d.windowNo,
      label: d.label,
      revoked: d.revokedAt !== null,
      revokedAt: d.revokedAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
    };
  }
}
