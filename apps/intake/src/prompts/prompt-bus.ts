import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { type Env, ENV } from '#libs/common';
import type { PromptDto } from './dto/prompt.dto.js';
import { PROMPT_CHANNEL } from './prompt-rules.js';

type Listener = (prompt: PromptDto) => void;

const RECONNECT_MS = 1_000;

/**
 * Carries new prompts to the PAD streams open on this instance. A prompt is announced with
 * PostgreSQL NOTIFY in the transaction that stores it (delivered on commit, to every intake
 * instance and worker); each instance LISTENs on one connection of its own and hands the
 * prompt to the streams of that device.
 */
@Injectable()
export class PromptBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PromptBus.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closers = new Set<() => void>();
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
    for (const close of [...this.closers]) close();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Calls `listener` with each new prompt for the device until the returned function is called. */
  subscribe(deviceId: string, listener: Listener, onShutdown: () => void): () => void {
    let set = this.listeners.get(deviceId);
    if (!set) this.listeners.set(deviceId, (set = new Set()));
    set.add(listener);
    this.closers.add(onShutdown);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(deviceId);
      this.closers.delete(onShutdown);
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
    if (notification.channel !== PROMPT_CHANNEL || !notification.payload) return;
    let prompt: PromptDto;
    try {
      prompt = JSON.parse(notification.payload) as PromptDto;
    } catch {
      return;
    }
    for (const listener of this.listeners.get(prompt.deviceId) ?? []) listener(prompt);
  }
}
