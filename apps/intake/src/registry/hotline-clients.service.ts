import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '#libs/auth';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, type Repository } from 'typeorm';
import { DataCipher, DomainError } from '#libs/common';
import { eventFactory, EventTypes, type HotlineClientData, Topics } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import { CredentialResolver } from './credential-resolver.js';
import { newSecret } from './devices.service.js';
import type { CreateHotlineClientDto, CreatePlatformClientDto } from './dto/registry.dto.js';
import {
  HotlineClientResponseDto,
  PlatformClientResponseDto,
  type RegisteredHotlineClientDto,
  type RegisteredPlatformClientDto,
} from './dto/registry.response.js';
import { HotlineClientEntity, type SignedClientChannel } from './registry.entities.js';

/** Done inside the registration's or revocation's transaction (the caller's audit entry). */
export type WithinTransaction = (manager: EntityManager, client: HotlineClientEntity) => Promise<void>;

/**
 * The one registry of signed clients (X-Client-Id), each with a secret shown once and kept sealed: 12345 hotline
 * clients (registration and revocation told to rectification through the outbox, which signs replies with the
 * secret) and platform clients pushing ratings (ONLINE, PROVINCE), which rectification does not need to know.
 */
@Injectable()
export class HotlineClientsService {
  constructor(
    @InjectRepository(HotlineClientEntity) private readonly clients: Repository<HotlineClientEntity>,
    private readonly credentials: CredentialResolver,
    private readonly cipher: DataCipher,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Registers a 12345 client and tells rectification (which signs replies with the secret) through the outbox. */
  async registerHotlineClient(admin: UserPrincipal, dto: CreateHotlineClientDto): Promise<RegisteredHotlineClientDto> {
    const { client, secret } = await this.register('HOTLINE_12345', dto, async (manager, saved) => {
      await this.emitHotlineClient(manager, EventTypes.HotlineClientRegistered, saved);
      await writeAdminAudit(manager, admin, 'HOTLINE_CLIENT_REGISTERED', auditSummaries.hotlineClientRegistered(saved.name), {
        clientId: saved.id,
        name: saved.name,
      });
    });
    return { clientId: client.id, secret, name: client.name, callbackUrl: client.callbackUrl };
  }

  /** Registers a platform client (ONLINE, PROVINCE); `within` runs in the same transaction (the audit entry). */
  async registerPlatformClient(dto: CreatePlatformClientDto, within: WithinTransaction): Promise<RegisteredPlatformClientDto> {
    const { client, secret } = await this.register(dto.channel, dto, within);
    return { clientId: client.id, secret, name: client.name, channel: dto.channel, callbackUrl: client.callbackUrl };
  }

  async revokeHotlineClient(admin: UserPrincipal, clientId: string): Promise<HotlineClientResponseDto> {
    const client = await this.revoke('hotline', clientId, async (manager, found) => {
      await this.emitHotlineClient(manager, EventTypes.HotlineClientRevoked, found);
      await writeAdminAudit(manager, admin, 'HOTLINE_CLIENT_REVOKED', auditSummaries.hotlineClientRevoked(found.name), {
        clientId: found.id,
        name: found.name,
      });
    });
    return HotlineClientResponseDto.fromEntity(client);
  }

  async revokePlatformClient(clientId: string, within: WithinTransaction): Promise<PlatformClientResponseDto> {
    return PlatformClientResponseDto.fromEntity(await this.revoke('platform', clientId, within));
  }

  async listHotlineClients(): Promise<HotlineClientResponseDto[]> {
    const rows = await this.clients.find({ where: { channel: 'HOTLINE_12345' }, order: { createdAt: 'ASC' } });
    return rows.map((c) => HotlineClientResponseDto.fromEntity(c));
  }

  async listPlatformClients(): Promise<PlatformClientResponseDto[]> {
    const rows = await this.clients.find({ where: { channel: In(['ONLINE', 'PROVINCE']) }, order: { createdAt: 'ASC' } });
    return rows.map((c) => PlatformClientResponseDto.fromEntity(c));
  }

  private async register(
    channel: SignedClientChannel,
    dto: { name: string; callbackUrl?: string },
    within: WithinTransaction,
  ): Promise<{ client: HotlineClientEntity; secret: string }> {
    const secret = newSecret();
    const client = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(
        manager.create(HotlineClientEntity, {
          name: dto.name,
          channel,
          callbackUrl: dto.callbackUrl ?? null,
          secretSealed: this.cipher.seal(secret),
        }),
      );
      await within(manager, saved);
      return saved;
    });
    return { client, secret };
  }

  /** Revokes a signed client of this kind (a hotline id is unknown to the platform route, and the other way round). */
  private async revoke(kind: 'hotline' | 'platform', clientId: string, within: WithinTransaction): Promise<HotlineClientEntity> {
    const client = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(HotlineClientEntity, { where: { id: clientId }, lock: { mode: 'pessimistic_write' } });
      if (!found || (found.channel === 'HOTLINE_12345') !== (kind === 'hotline')) {
        throw DomainError.notFound(`${kind === 'hotline' ? 'Hotline' : 'Platform'} client ${clientId}`);
      }
      if (!found.revokedAt) {
        found.revokedAt = new Date();
        await manager.save(found);
        await within(manager, found);
      }
      return found;
    });
    this.credentials.forget(kind, clientId);
    return client;
  }

  private async emitHotlineClient(
    manager: EntityManager,
    type: typeof EventTypes.HotlineClientRegistered | typeof EventTypes.HotlineClientRevoked,
    client: HotlineClientEntity,
  ): Promise<void> {
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
      event: eventFactory(type)(data, { subject: client.id }),
    });
  }
}
