import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { Repository } from 'typeorm';
import type { HmacCredential, HmacCredentialResolver, HmacKind } from '#libs/auth';
import { DataCipher } from '#libs/common';
import { DeviceEntity, HotlineClientEntity } from './registry.entities.js';

/** How long a resolved HMAC credential is trusted: a revocation made on another instance applies within about this long. */
const CREDENTIAL_TTL_MS = 4_000;

/** Resolves the HMAC credentials of PAD devices and signed clients (hotline, platform) for the guards, cached briefly. */
@Injectable()
export class CredentialResolver implements HmacCredentialResolver {
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
      return { credential: kind === 'device' ? await this.deviceCredential(id) : await this.clientCredential(kind, id) };
    },
  });

  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(HotlineClientEntity) private readonly clients: Repository<HotlineClientEntity>,
    private readonly cipher: DataCipher,
  ) {}

  async resolve(kind: HmacKind, id: string): Promise<HmacCredential | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.credentials.fetch(`${kind}:${id}`))?.credential ?? null;
  }

  /** Drops a cached credential (revoked, or its secret rotated by pairing). */
  forget(kind: HmacKind, id: string): void {
    this.credentials.delete(`${kind}:${id}`);
  }

  // Plain statements rather than findOneBy: a fleet of thousands of PADs, each rating every few seconds or minutes,
  // finds its entry expired on almost every request, so this lookup runs about once per rating.
  private async deviceCredential(id: string): Promise<HmacCredential | null> {
    const [device] = await this.devices.query<
      Array<{ id: string; unit_code: string; window_no: string; secret_sealed: string; revoked: boolean }>
    >(`SELECT id, unit_code, window_no, secret_sealed, revoked_at IS NOT NULL AS revoked FROM devices WHERE id = $1`, [id]);
    if (!device) return null;
    return {
      secret: this.cipher.open(device.secret_sealed),
      revoked: device.revoked,
      principal: { kind: 'device', deviceId: device.id, unitCode: device.unit_code, windowNo: device.window_no },
    };
  }

  /** A signed client of the kind the route accepts: a hotline route knows no platform client, and the other way round. */
  private async clientCredential(kind: 'hotline' | 'platform', id: string): Promise<HmacCredential | null> {
    const [client] = await this.clients.query<Array<{ id: string; secret_sealed: string; revoked: boolean; channel: string }>>(
      `SELECT id, secret_sealed, revoked_at IS NOT NULL AS revoked, channel FROM hotline_clients WHERE id = $1`,
      [id],
    );
    if (!client) return null;
    const hotline = client.channel === 'HOTLINE_12345';
    if (hotline !== (kind === 'hotline')) return null;
    return {
      secret: this.cipher.open(client.secret_sealed),
      revoked: client.revoked,
      principal: hotline
        ? { kind: 'hotline', clientId: client.id }
        : { kind: 'platform', clientId: client.id, channel: client.channel as 'ONLINE' | 'PROVINCE' },
    };
  }
}
