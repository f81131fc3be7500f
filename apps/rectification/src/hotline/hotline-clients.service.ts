import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { HmacCredential, HmacCredentialResolver, HmacKind } from '#libs/auth';
import { DataCipher } from '#libs/common';
import type { CloudEvent, HotlineClientData } from '#libs/contracts';
import { HotlineClientCopy } from './hotline.entities.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rectification's own copy of the hotline clients, kept from intake's registry events; the HMAC credential source here. */
@Injectable()
export class HotlineClientsService implements HmacCredentialResolver {
  constructor(
    @InjectRepository(HotlineClientCopy) private readonly clients: Repository<HotlineClientCopy>,
    private readonly cipher: DataCipher,
  ) {}

  /** Upserts from `gov.hotline-client.registered` / `.revoked` (ordered: one key, one partition). */
  async apply(manager: EntityManager, event: CloudEvent<HotlineClientData>): Promise<void> {
    const d = event.data;
    await manager.query(
      `INSERT INTO hotline_clients (client_id, name, callback_url, secret_sealed, revoked, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (client_id) DO UPDATE SET name = EXCLUDED.name, callback_url = EXCLUDED.callback_url,
         secret_sealed = EXCLUDED.secret_sealed, revoked = hotline_clients.revoked OR EXCLUDED.revoked, updated_at = now()`,
      [d.clientId, d.name, d.callbackUrl, d.secretSealed, d.revoked],
    );
  }

  async resolve(kind: HmacKind, id: string): Promise<HmacCredential | null> {
    if (kind !== 'hotline' || !UUID.test(id)) return null;
    const found = await this.clients.findOneBy({ clientId: id });
    if (!found) return null;
    return {
      secret: this.cipher.open(found.secretSealed),
      revoked: found.revoked,
      principal: { kind: 'hotline', clientId: found.clientId },
    };
  }
}
