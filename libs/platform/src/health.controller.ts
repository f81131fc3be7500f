import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { BrokerHealthIndicator } from '#libs/messaging';
import { HealthWarnings } from './health-warnings.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
    private readonly warnings: HealthWarnings,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: 200 when the database and the event broker are reachable, else 503. `warnings` lists what needs attention without failing readiness (e.g. an unconfirmed calendar year).',
  })
  async check() {
    const result = await this.health.check([
      () => this.database.pingCheck('database').withTimeout(2000),
      () => this.broker.check('broker'),
    ]);
    const warnings = await this.warnings.current();
    return warnings.length ? { ...result, warnings } : result;
  }
}
