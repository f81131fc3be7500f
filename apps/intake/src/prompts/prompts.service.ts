import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { assertUnitAccess, type DevicePrincipal, SIGNATURE_WINDOW_MS, type UserPrincipal } from '#libs/auth';
import { DomainError, ErrorCode } from '#libs/common';
import { DevicesService } from '../registry/devices.service.js';
import type { CreatePromptDto, PromptDto } from './dto/prompt.dto.js';
import { PromptBus } from './prompt-bus.js';
import { PromptEntity } from './prompt.entity.js';
import {
  PROMPT_CHANNEL,
  PROMPT_STREAM_MAX_MS,
  PROMPT_STREAM_PING_MS,
  PROMPT_STREAM_SLOT_MS,
  PROMPT_STREAMS_PER_DEVICE,
  PROMPT_TTL_MS,
} from './prompt-rules.js';
import { PromptStreamsRepository } from './prompt-streams.repository.js';

/** The signed headers of a stream request (verified by the guard). */
export interface SignedStreamRequest {
  signature: string;
  timestamp: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rating prompts: a window's business system asks its PAD to take a rating of a service that just ended. */
@Injectable()
export class PromptsService {
  private readonly logger = new Logger(PromptsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: DevicesService,
    private readonly bus: PromptBus,
    private readonly streams: PromptStreamsRepository,
  ) {}

  /**
   * Stores the prompt, then wakes the device's open streams on every replica (NOTIFY after the commit, carrying only
   * the device id: a wake-up, not the prompt; a stream that misses it finds the prompt at its next ping).
   * Only the device's own unit may prompt it: its operators, an admin, or a device of that unit.
   */
  async create(caller: UserPrincipal | DevicePrincipal, deviceId: string, dto: CreatePromptDto, now = new Date()): Promise<PromptDto> {
    const device = await this.devices.requireDevice(deviceId);
    if (caller.kind === 'user') assertUnitAccess(caller, device.unitCode);
    else if (caller.unitCode !== device.unitCode) throw new DomainError(ErrorCode.ForbiddenUnit, 'This device belongs to another unit.');
    if (device.revokedAt) throw new DomainError(ErrorCode.Conflict, 'This device is revoked and shows no prompts.');
    const entity: PromptEntity = {
      id: randomUUID(),
      deviceId,
      unitCode: device.unitCode,
      serviceRecordId: dto.serviceRecordId,
      serviceItemCode: dto.serviceItemCode,
      serviceItemName: dto.serviceItemName ?? null,
      staffId: dto.staffId ?? null,
      requestedBy: caller.kind === 'user' ? `user:${caller.sub}` : `device:${caller.deviceId}`,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PROMPT_TTL_MS),
    };
    await this.dataSource.manager.insert(PromptEntity, entity);
    await this.dataSource.query(`SELECT pg_notify($1, $2)`, [PROMPT_CHANNEL, deviceId]).catch(() => undefined);
    return promptView(entity);
  }

  /**
   * The device's newest prompt, when it is neither expired nor rated yet (shown when a stream opens). An older
   * prompt that a newer one replaced is not shown again: its citizen has gone, even when the newer one was rated.
   */
  async pending(device: DevicePrincipal, now = new Date()): Promise<PromptDto | null> {
    const rows = (await this.dataSource.query(
      `SELECT p.* FROM (SELECT * FROM device_prompts WHERE device_id = $1 ORDER BY created_at DESC LIMIT 1) p
        WHERE p.expires_at > $2
          AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.unit_code = p.unit_code AND r.service_record_id = p.service_record_id)`,
      [device.deviceId, now],
    )) as Array<Record<string, unknown>>;
    const row = rows[0];
    if (!row) return null;
    return promptView({
      id: row.id as string,
      deviceId: row.device_id as string,
      unitCode: row.unit_code as string,
      serviceRecordId: row.service_record_id as string,
      serviceItemCode: row.service_item_code as string,
      serviceItemName: row.service_item_name as string | null,
      staffId: row.staff_id as string | null,
      requestedBy: row.requested_by as string,
      createdAt: row.created_at as Date,
      expiresAt: row.expires_at as Date,
    });
  }

  /**
   * The device's prompt stream: its pending prompt, then each newer one — looked up when a replica wakes the stream
   * (PromptBus) and at every ping, so a lost wake-up delays a prompt by one ping at most; a ping every 15 s; the end
   * after 55 s (the PAD reconnects with a fresh signature). Events carry the prompt's id: a PAD that reconnects with
   * `Last-Event-ID` is not sent that prompt again, only a newer one it missed.
   * A device holds at most PROMPT_STREAMS_PER_DEVICE streams at once (429 beyond, Retry-After when
   * the first frees), and a signed stream request opens one stream only: the same signature again,
   * within the window its timestamp passes the guard, is refused (401 SIGNATURE_REPLAYED). Both hold
   * across replicas (pad_streams in PostgreSQL).
   */
  async stream(
    device: DevicePrincipal,
    signed: SignedStreamRequest,
    lastEventId?: string,
    now = new Date(),
  ): Promise<Observable<MessageEvent>> {
    if (lastEventId !== undefined && !UUID.test(lastEventId)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'Last-Event-ID is not the id of a prompt.', [
        { field: 'Last-Event-ID', message: '必须是评价提示的编号（UUID）' },
      ]);
    }
    const claim = await this.streams.open({
      deviceId: device.deviceId,
      signature: signed.signature,
      replayableUntil: new Date(Number(signed.timestamp) + SIGNATURE_WINDOW_MS),
      now,
      endsAt: new Date(now.getTime() + PROMPT_STREAM_SLOT_MS),
      perDevice: PROMPT_STREAMS_PER_DEVICE,
    });
    if (claim.kind === 'replayed') {
      throw new DomainError(ErrorCode.SignatureReplayed, 'This signed stream request has already been used; sign a new one.');
    }
    if (claim.kind === 'full') {
      throw new DomainError(
        ErrorCode.RateLimited,
        `This device already holds ${PROMPT_STREAMS_PER_DEVICE} prompt streams; close one or retry later.`,
        [],
        { 'Retry-After': String(claim.retryAfterSeconds) },
      );
    }
    return this.open(device, lastEventId, () => {
      this.streams.close(claim.id, new Date()).catch((err: unknown) => this.logger.error({ err }, 'closing a prompt stream failed'));
    });
  }

  private open(device: DevicePrincipal, lastEventId: string | undefined, onClose: () => void): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      // The prompts this stream has sent (or the PAD had before it reconnected): each goes out once.
      const sent = new Set<string>(lastEventId ? [lastEventId.toLowerCase()] : []);
      const offer = async () => {
        const prompt = await this.pending(device);
        if (!prompt || sent.has(prompt.id)) return;
        sent.add(prompt.id);
        subscriber.next({ type: 'prompt', id: prompt.id, data: prompt });
      };
      const lookUp = () => offer().catch((err: unknown) => subscriber.error(err));
      const unsubscribe = this.bus.subscribe(device.deviceId, { onWake: () => void lookUp(), onEnd: () => subscriber.complete() });
      const ping = setInterval(() => {
        subscriber.next({ type: 'ping', data: { serverTime: new Date().toISOString() } });
        void lookUp();
      }, PROMPT_STREAM_PING_MS);
      const end = setTimeout(() => subscriber.complete(), PROMPT_STREAM_MAX_MS);
      subscriber.next({ type: 'ready', data: { serverTime: new Date().toISOString() } });
      void (async () => {
        try {
          await this.devices.touchDevice(device.deviceId);
          await offer();
        } catch (err) {
          subscriber.error(err);
        }
      })();
      return () => {
        clearInterval(ping);
        clearTimeout(end);
        unsubscribe();
        onClose();
      };
    });
  }
}

function promptView(p: PromptEntity): PromptDto {
  return {
    id: p.id,
    deviceId: p.deviceId,
    unitCode: p.unitCode,
    serviceRecordId: p.serviceRecordId,
    serviceItemCode: p.serviceItemCode,
    serviceItemName: p.serviceItemName,
    staffId: p.staffId,
    createdAt: p.createdAt.toISOString(),
    expiresAt: p.expiresAt.toISOString(),
  };
}
