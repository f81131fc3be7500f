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
   * Stores the prompt and announces it to the device's open streams (NOTIFY, on commit).
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
    const prompt = promptView(entity);
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(PromptEntity, entity);
      await manager.query(`SELECT pg_notify($1, $2)`, [PROMPT_CHANNEL, JSON.stringify(prompt)]);
    });
    return prompt;
  }

  /** The device's newest prompt that is neither expired nor rated yet (shown when a stream opens). */
  async pending(device: DevicePrincipal, now = new Date()): Promise<PromptDto | null> {
    const rows = (await this.dataSource.query(
      `SELECT p.* FROM device_prompts p
        WHERE p.device_id = $1 AND p.expires_at > $2
          AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.unit_code = p.unit_code AND r.service_record_id = p.service_record_id)
        ORDER BY p.created_at DESC LIMIT 1`,
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
   * The device's prompt stream: the pending prompt first, then each new one as it is stored,
   * a ping every 15 s, and the end after 55 s (the PAD reconnects with a fresh signature).
   * A device holds at most PROMPT_STREAMS_PER_DEVICE streams at once (429 beyond, Retry-After when
   * the first frees), and a signed stream request opens one stream only: the same signature again,
   * within the window its timestamp passes the guard, is refused (401 SIGNATURE_REPLAYED). Both hold
   * across replicas (pad_streams in PostgreSQL).
   */
  async stream(device: DevicePrincipal, signed: SignedStreamRequest, now = new Date()): Promise<Observable<MessageEvent>> {
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
    return this.open(device, () => {
      this.streams.close(claim.id, new Date()).catch((err: unknown) => this.logger.error({ err }, 'closing a prompt stream failed'));
    });
  }

  private open(device: DevicePrincipal, onClose: () => void): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      // A prompt stored just before the stream opened can come twice: read as pending, and as the
      // notification of its insert delivered after the subscription. Each is sent once.
      const sent = new Set<string>();
      const send = (prompt: PromptDto) => {
        if (sent.has(prompt.id)) return;
        sent.add(prompt.id);
        subscriber.next({ type: 'prompt', id: prompt.id, data: prompt });
      };
      const unsubscribe = this.bus.subscribe(device.deviceId, { onPrompt: send, onEnd: () => subscriber.complete() });
      const ping = setInterval(
        () => subscriber.next({ type: 'ping', data: { serverTime: new Date().toISOString() } }),
        PROMPT_STREAM_PING_MS,
      );
      const end = setTimeout(() => subscriber.complete(), PROMPT_STREAM_MAX_MS);
      subscriber.next({ type: 'ready', data: { serverTime: new Date().toISOString() } });
      void (async () => {
        try {
          await this.devices.touchDevice(device.deviceId);
          const prompt = await this.pending(device);
          if (prompt) send(prompt);
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
