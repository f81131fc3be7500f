import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Inject, Injectable, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { type Env, ENV } from './config.js';
import { DomainError, ErrorCode } from './domain-error.js';

/** One Prometheus registry per service (several services may share a process). */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsHandled: Counter<'topic' | 'outcome'>;
  readonly eventsPublished: Counter<'topic'>;
  readonly relayRestarts: Counter<'reason'>;
  readonly batchesHandled: Counter<'group' | 'outcome'>;
  readonly consumerRestarts: Counter<'group' | 'reason'>;
  readonly relayPhase: Histogram<'phase'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.eventsHandled = new Counter({
      name: 'events_handled_total',
      help: 'Events consumed, by outcome (processed, duplicate, dead_lettered, failed)',
      labelNames: ['topic', 'outcome'],
      registers: [this.registry],
    });
    this.eventsPublished = new Counter({
      name: 'outbox_events_published_total',
      help: 'Outbox events published to the broker',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.relayRestarts = new Counter({
      name: 'outbox_relay_restarts_total',
      help: 'Kafka producers the outbox relay threw away and rebuilt (fatal producer error or repeated failures)',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.batchesHandled = new Counter({
      name: 'event_batches_handled_total',
      help: 'Batches of events a consumer group handled, by outcome (applied, failed)',
      labelNames: ['group', 'outcome'],
      registers: [this.registry],
    });
    this.consumerRestarts = new Counter({
      name: 'kafka_consumer_restarts_total',
      help: 'Kafka consumers the watchdog disconnected and built again (crashed: kafkajs would not restart it; silent: no fetch or heartbeat for KAFKA_CONSUMER_STALL_SECONDS)',
      labelNames: ['group', 'reason'],
      registers: [this.registry],
    });
    this.relayPhase = new Histogram({
      name: 'outbox_relay_phase_seconds',
      help: 'Time of the outbox relay per pass, by phase (read, publish, mark, commit)',
      labelNames: ['phase'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }
}

/**
 * Times every response by method, route pattern and status, in Fastify's onResponse
 * hook (after the reply is sent, from Fastify's own clock): no per-request closure or
 * listener. Install before the routes are registered (before `app.init()`).
 */
export function recordHttpMetrics(fastify: FastifyInstance, metrics: MetricsRegistry): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(ENV) private readonly env: Pick<Env, 'METRICS_TOKEN'>,
  ) {}

  /**
   * Only a scraper presenting `Authorization: Bearer <METRICS_TOKEN>` reads the metrics, in every mode:
   * without METRICS_TOKEN the metrics are closed to everyone (`npm start` generates a token and prints it).
   */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const token = this.env.METRICS_TOKEN;
    if (!token) {
      throw new DomainError(ErrorCode.Unauthenticated, 'GET /metrics is closed: the service has no METRICS_TOKEN set.');
    }
    if (!tokenMatches(`Bearer ${token}`, authorization ?? '')) {
      throw new DomainError(ErrorCode.Unauthenticated, 'GET /metrics needs the metrics bearer token.');
    }
    return this.metrics.registry.metrics();
  }
}

function tokenMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

@Module({
  providers: [MetricsRegistry],
  controllers: [MetricsController],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
