import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '#libs/auth';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { DataCipher, DomainError } from '#libs/common';
import { eventFactory, EventTypes, type HotlineClientData, Topics } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import { CredentialResolver } from './credential-resolver.js';
import { newSecret } from './devices.service.js';
import type { CreateHotlineClientDto } from './dto/registry.dto.js';
import { HotlineClientResponseDto, type RegisteredHotlineClientDto } from './dto/registry.response.js';
import { HotlineClientEntity } from './registry.entities.js';

/** 12345 hotline clients: registration (the secret shown once) and revocation, both told to rectification through the outbox. */
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
      await writeAdminAudit(manager, admin, 'HOTLINE_CLIENT_REGISTERED', auditSummaries.hotlineClientRegistered(saved.name), {
        clientId: saved.id,
        name: saved.name,
      });
      return saved;
    });
    return { clientId: client.id, secret, name: client.name, callbackUrl: client.callbackUrl };
  }

  async revokeHotlineClient(admin: UserPrincipal, clientId: string): Promise<HotlineClientResponseDto> {
    const client = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(HotlineClientEntity, { where: { id: clientId }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw DomainError.notFound(`Hotline client ${clientId}`);
      if (!found.revokedAt) {
        found.revokedAt = new Date();
        await manager.save(found);
        await this.emitHotlineClient(manager, EventTypes.HotlineClientRevoked, found);
        await writeAdminAudit(manager, admin, 'HOTLINE_CLIENT_REVOKED', auditSummaries.hotlineClientRevoked(found.name), {
          clientId: found.id,
          name: found.name,
        });
      }
      return found;
    });
    this.credentials.forget('hotline', clientId);
    return HotlineClientResponseDto.fromEntity(client);
  }

  async listHotlineClients(): Promise<HotlineClientResponseDto[]> {
    const rows = await this.clients.find({ order: { createdAt: 'ASC' } });
    return rows.map((c) => HotlineClientResponseDto.fromEntity(c));
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
