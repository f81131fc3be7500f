import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError, type Env, ENV, ErrorCode } from '#libs/common';
import { BrokerHealthIndicator, PipelineMonitor } from '#libs/messaging';
import { type HealthWarning, HealthWarnings } from './health-warnings.js';
import { ApiProblems } from './openapi.js';
import { ShutdownDrain } from './shutdown-drain.js';

const CHECK_TIMEOUT_MS = 2_000;
/** Seconds a client or balancer should wait before asking again after a 503. */
export const HEALTH_RETRY_AFTER_SECONDS = 5;

/** What one named check reports: `status` and any details worth showing an operator. */
export interface HealthDetail {
  status: 'up' | 'down';
  [detail: string]: unknown;
}

interface Check {
  name: string;
  /** A fatal check that is down fails readiness; a non-fatal one becomes a warning. */
  fatal: boolean;
  run(): Promise<HealthDetail>;
}

export interface HealthBody {
  status: 'ok' | 'error';
  /** Whether readiness holds (on /health/live, whose own status is always ok). */
  ready: boolean;
  /** Checks that are up. */
  info: Record<string, HealthDetail>;
  /** Fatal checks that are down (readiness fails). */
  error: Record<string, HealthDetail>;
  details: Record<string, HealthDetail>;
  /** What needs attention without failing readiness: non-fatal checks that are down (the broker) and registered warnings (the calendar). Absent when none. */
  warnings?: HealthWarning[];
}

const DETAILS = { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } } as const;

class HealthWarningDto {
  @ApiProperty({ example: 'calendar' }) name: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
}

/** The health body (terminus' shape, with `ready` and `warnings`). */
export class HealthBodyDto implements HealthBody {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ description: 'Whether readiness holds' }) ready: boolean;
  @ApiProperty({ ...DETAILS, description: 'Checks that are up' }) info: Record<string, HealthDetail>;
  @ApiProperty({ ...DETAILS, description: 'Fatal checks that are down' }) error: Record<string, HealthDetail>;
  @ApiProperty(DETAILS) details: Record<string, HealthDetail>;
  @ApiPropertyOptional({ type: [HealthWarningDto], description: 'What needs attention without failing readiness' })
  warnings?: HealthWarning[];
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
 *   answers; and so does a stop under way (ShutdownDrain), first of all.
 *
 * Features add warnings through `HealthWarnings`.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  private lastStallLog = 0;
  private readonly checks: Check[];

  constructor(
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
    private readonly pipeline: PipelineMonitor,
    private readonly warnings: HealthWarnings,
    private readonly shutdown: ShutdownDrain,
    @Inject(ENV) private readonly env: Env,
  ) {
    this.checks = [
      {
        name: 'database',
        fatal: true,
        run: async () => (await this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS })).database as HealthDetail,
      },
      { name: 'broker', fatal: false, run: async () => (await this.broker.check('broker')).broker as HealthDetail },
      { name: 'pipeline', fatal: true, run: () => this.pipelineDetail() },
    ];
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process can answer; the body reports the same details as readiness' })
  @ApiOkResponse({ type: HealthBodyDto, description: 'The process works; `ready` says whether readiness holds' })
  async live(): Promise<HealthBody> {
    const body = await this.evaluate();
    return { ...body, status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 when this instance can do its job (database reachable, relay not stalled); the broker, consumer lag and e.g. an unconfirmed calendar year are reported in `warnings`, not fatal',
  })
  @ApiOkResponse({ type: HealthBodyDto, description: 'Ready; `warnings` lists what needs attention without failing readiness' })
  @ApiProblems(503)
  async ready(): Promise<HealthBody> {
    const body = await this.evaluate();
    if (body.status === 'error') {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        'A dependency is unavailable.',
        [],
        { 'Retry-After': String(HEALTH_RETRY_AFTER_SECONDS) },
        { checks: body.details, ...(body.warnings ? { warnings: body.warnings } : {}) },
      );
    }
    return body;
  }

  @Get()
  @ApiOperation({ summary: 'Readiness (API.md): the same as /health/ready' })
  @ApiOkResponse({ type: HealthBodyDto })
  @ApiProblems(503)
  check(): Promise<HealthBody> {
    return this.ready();
  }

  private async evaluate(): Promise<HealthBody> {
    const body: HealthBody = { status: 'ok', ready: true, info: {}, error: {}, details: {} };
    const [results, registered] = await Promise.all([
      Promise.all(this.checks.map((c) => runCheck(c))),
      this.warnings
        .current()
        .catch((err: unknown): HealthWarning[] => [
          { name: 'warnings', message: `could not evaluate warnings: ${err instanceof Error ? err.message : String(err)}` },
        ]),
    ]);
    const warnings: HealthWarning[] = [];
    this.checks.forEach((check, i) => {
      const detail = results[i];
      body.details[check.name] = detail;
      if (detail.status === 'up') body.info[check.name] = detail;
      else if (check.fatal) body.error[check.name] = detail;
      else warnings.push({ name: check.name, message: `${check.name} is down (reported, not fatal)`, details: detail });
    });
    warnings.push(...registered);
    if (warnings.length) body.warnings = warnings;
    const drainingSince = this.shutdown.drainingSince;
    if (drainingSince) {
      body.error.shutdown = { status: 'down', message: 'stopping: finishing what it holds', since: drainingSince.toISOString() };
      body.details.shutdown = body.error.shutdown;
    }
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

async function runCheck(check: Check): Promise<HealthDetail> {
  try {
    return await Promise.race([
      check.run(),
      new Promise<HealthDetail>((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS * 2} ms`)), CHECK_TIMEOUT_MS * 2).unref(),
      ),
    ]);
  } catch (err) {
    const detail = (err as { causes?: Record<string, HealthDetail> }).causes?.[check.name];
    return detail ?? { status: 'down', message: err instanceof Error ? err.message : String(err) };
  }
}
