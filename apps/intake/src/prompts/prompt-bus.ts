import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { type Env, ENV } from '#libs/common';
import { DEVICE_REVOKED_CHANNEL, PROMPT_CHANNEL } from './prompt-rules.js';

interface Listener {
  /** A prompt for the device may have been stored: look it up. */
  onWake(): void;
  /** The stream must end: the device was revoked, or the service is stopping. */
  onEnd(): void;
}

const RECONNECT_MS = 1_000;

/**
 * Wakes the PAD streams open on this instance when a prompt for their device was stored on any
 * replica: PostgreSQL NOTIFY, sent after the prompt's commit (never inside a business transaction,
 * where a pending NOTIFY would serialize commits), carries only the device id; the streams read the
 * prompt from the table themselves. Each instance LISTENs on one connection of its own. A revoked
 * device's streams are ended the same way.
 */
@Injectable()
export class PromptBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PromptBus.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private client: Client | null = null;
  private stopping = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(@Inject(ENV) private readonly env: Env) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  /** Ends every open stream (so the HTTP server can close) and the LISTEN connection. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener.onEnd();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Hands `listener` each new prompt for the device until the returned function is called. */
  subscribe(deviceId: string, listener: Listener): () => void {
    let set = this.listeners.get(deviceId);
    if (!set) this.listeners.set(deviceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(deviceId);
    };
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.env.DATABASE_URL, application_name: 'gov-review-intake-prompts' });
    client.on('notification', (n) => this.deliver(n));
    client.on('error', (err) => {
      this.logger.warn(`prompt listener connection failed: ${err.message}`);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${PROMPT_CHANNEL}`);
      await client.query(`LISTEN ${DEVICE_REVOKED_CHANNEL}`);
      this.client = client;
    } catch (err) {
      this.logger.warn(`prompt listener could not connect: ${err instanceof Error ? err.message : String(err)}`);
      this.reconnect(client);
    }
  }

  private reconnect(failed: Client): void {
    if (this.stopping || this.reconnectTimer) return;
    if (this.client === failed) this.client = null;
    void failed.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopping) void this.connect();
    }, RECONNECT_MS);
  }

  private deliver(notification: Notification): void {
    if (!notification.payload) return;
    if (notification.channel === DEVICE_REVOKED_CHANNEL) {
      // Its streams end now; the PAD reconnects and is told DEVICE_REVOKED.
      for (const listener of [...(this.listeners.get(notification.payload) ?? [])]) listener.onEnd();
      return;
    }
    if (notification.channel !== PROMPT_CHANNEL) return;
    for (const listener of this.listeners.get(deviceOf(notification.payload)) ?? []) listener.onWake();
  }
}

/** The device a wake-up is for: its payload (a replica of the previous release sent the prompt as JSON). */
function deviceOf(payload: string): string {
  if (!payload.startsWith('{')) return payload;
  try {
    const { deviceId } = JSON.parse(payload) as { deviceId?: unknown };
    return typeof deviceId === 'string' ? deviceId : '';
  } catch {
    return '';
  }
}
