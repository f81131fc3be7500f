import { Controller, Get, Inject, Logger, type OnModuleInit } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError, type Env, ENV, ErrorCode } from '#libs/common';
import { BrokerHealthIndicator, PipelineMonitor } from '#libs/messaging';
import { type HealthContributor, HealthContributors, type HealthDetail } from './health-contributors.js';

const CHECK_TIMEOUT_MS = 2_000;
/** Seconds a client or balancer should wait before asking again after a 503. */
export const HEALTH_RETRY_AFTER_SECONDS = 5;

export interface HealthBody {
  status: 'ok' | 'error';
  /** Whether readiness holds (on /health/live, whose own status is always ok). */
  ready: boolean;
  /** Contributors that are up. */
  info: Record<string, HealthDetail>;
  /** Fatal contributors that are down (readiness fails). */
  error: Record<string, HealthDetail>;
  /** Non-fatal contributors that are down: reported, readiness unaffected. */
  warnings: Record<string, HealthDetail>;
  details: Record<string, HealthDetail>;
}

/**
 * Liveness and readiness with honest meanings.
 *
 * - `/health/live`: the process works (200 whenever it can answer).
 * - `/health/ready` (and `/health`, API.md's readiness): this instance can do its job
 *   now. That needs the database. The broker does not count: a service's outbox keeps
 *   accepting through a broker outage and its consumers resume where they stopped; the
 *   broker and the consumer lag are reported, not fatal. What does fail readiness is a
 *   stalled relay: an outbox backlog older than OUTBOX_STALL_SECONDS while the broker
 *   answers.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController implements OnModuleInit {
  private readonly logger = new Logger('Health');
  private lastStallLog = 0;

  constructor(
    private readonly contributors: HealthContributors,
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
    private readonly pipeline: PipelineMonitor,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.contributors.register({
      name: 'database',
      fatal: true,
      check: async () => (await this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS })).database as HealthDetail,
    });
    this.contributors.register({
      name: 'broker',
      fatal: false,
      check: async () => (await this.broker.check('broker')).broker as HealthDetail,
    });
    this.contributors.register({ name: 'pipeline', fatal: true, check: () => this.pipelineDetail() });
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process can answer; the body reports the same details as readiness' })
  @ApiOkResponse({ description: 'The process works' })
  async live(): Promise<HealthBody> {
    const body = await this.evaluate();
    return { ...body, status: 'ok', ready: body.status === 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 when this instance can do its job (database reachable, relay not stalled); broker and consumer lag are reported, not fatal',
  })
  @ApiOkResponse({ description: 'Ready; `warnings` names what is degraded but not fatal (e.g. the broker during an outage)' })
  @ApiServiceUnavailableResponse({ description: 'problem+json SERVICE_UNAVAILABLE with Retry-After; `checks` names what is down' })
  async ready(): Promise<HealthBody> {
    const body = await this.evaluate();
    if (body.status === 'error') {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        'A dependency is unavailable.',
        [],
        { 'Retry-After': String(HEALTH_RETRY_AFTER_SECONDS) },
        { checks: body.details, warnings: body.warnings },
      );
    }
    return body;
  }

  @Get()
  @ApiOperation({ summary: 'Readiness (API.md): the same as /health/ready' })
  check(): Promise<HealthBody> {
    return this.ready();
  }

  private async evaluate(): Promise<HealthBody> {
    const body: HealthBody = { status: 'ok', ready: true, info: {}, error: {}, warnings: {}, details: {} };
    const contributors = this.contributors.list();
    const results = await Promise.all(contributors.map((c) => runCheck(c)));
    contributors.forEach((contributor, i) => {
      const detail = results[i];
      body.details[contributor.name] = detail;
      if (detail.status === 'up') body.info[contributor.name] = detail;
      else if (contributor.fatal) body.error[contributor.name] = detail;
      else body.warnings[contributor.name] = detail;
    });
    if (Object.keys(body.error).length) {
      body.status = 'error';
      body.ready = false;
    }
    return body;
  }

  /** Outbox backlog, relay state and consumer lag; down only when the relay is stalled with the broker up. */
  private async pipelineDetail(): Promise<HealthDetail> {
    const [snapshot, broker] = await Promise.all([this.pipeline.snapshot(), this.broker.check('broker')]);
    const brokerUp = broker.broker?.status === 'up';
    const oldest = 'pending' in snapshot.outbox ? snapshot.outbox.oldestPendingSeconds : 0;
    const stalled = brokerUp && oldest > this.env.OUTBOX_STALL_SECONDS;
    if (stalled && Date.now() - this.lastStallLog > 10_000) {
      this.lastStallLog = Date.now();
      this.logger.error(
        { outbox: snapshot.outbox, relay: snapshot.relay, stallSeconds: this.env.OUTBOX_STALL_SECONDS },
        'OUTBOX RELAY STALLED: the broker answers but the oldest unpublished event is older than OUTBOX_STALL_SECONDS',
      );
    }
    return {
      status: stalled ? 'down' : 'up',
      ...(stalled ? { message: `relay stalled: oldest unpublished event is ${oldest} s old while the broker answers` } : {}),
      outbox: snapshot.outbox,
      relay: snapshot.relay,
      consumers: snapshot.consumers,
    };
  }
}

async function runCheck(contributor: HealthContributor): Promise<HealthDetail> {
  try {
    return await Promise.race([
      contributor.check(),
      new Promise<HealthDetail>((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS * 2} ms`)), CHECK_TIMEOUT_MS * 2).unref(),
      ),
    ]);
  } catch (err) {
    const detail = (err as { causes?: Record<string, HealthDetail> }).causes?.[contributor.name];
    return detail ?? { status: 'down', message: err instanceof Error ? err.message : String(err) };
  }
}
