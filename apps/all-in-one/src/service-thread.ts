import { parentPort, workerData } from 'node:worker_threads';
import type { INestApplication, Type } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { type Env, loadEnv } from '#libs/common';
import { type ServiceAppOptions, startService } from '#libs/platform';
import type { DemoCredentials, ServiceName, ServiceReport, StopRequest } from './messages.js';

/**
 * One service of `npm start`, in a worker thread of its own. A thread has its own copy of every
 * module, as a separate process would: the service's pino logger (nestjs-pino keeps one per
 * module instance, so in a shared thread every line said "intake"), @nestjs/typeorm's registry
 * of data source names (which warned "default data source already registered" for the second
 * service), metrics and in-memory limits. Its event loop is its own too, so one service's heavy
 * reads do not hold up another's requests. A thread loads its own service's code only: a root
 * module registers its data source when its module is defined, at import.
 */
interface ServiceEntry {
  module: Type;
  options: ServiceAppOptions;
  port: (env: Env) => number;
}
const SERVICES: Record<ServiceName, () => Promise<ServiceEntry>> = {
  intake: async () => {
    const { INTAKE_APP, IntakeModule } = await import('../../intake/src/intake.module.js');
    return { module: IntakeModule, options: INTAKE_APP, port: (env) => env.INTAKE_PORT };
  },
  rectification: async () => {
    const { RECTIFICATION_APP, RectificationModule } = await import('../../rectification/src/rectification.module.js');
    return { module: RectificationModule, options: RECTIFICATION_APP, port: (env) => env.RECTIFICATION_PORT };
  },
  statistics: async () => {
    const { STATISTICS_APP, StatisticsModule } = await import('../../statistics/src/statistics.module.js');
    return { module: StatisticsModule, options: STATISTICS_APP, port: (env) => env.STATISTICS_PORT };
  },
};

const DEMO_UNIT = { code: 'DEMO-01', name: '示范区政务服务中心' };
const DEMO_WINDOW = 'A01';
/** The window whose PAD runs the browser page (/pad): paired with a code, so it keeps its own device. */
const DEMO_PAD_WINDOW = 'A02';
/** Who prepares the demo (npm start), as the audit log records it. */
const DEMO_SETUP = { kind: 'user', sub: 'npm-start', role: 'admin', unitCode: null } as const;

async function demoDevice(intake: INestApplication): Promise<{ deviceId: string; secret: string }> {
  const { UnitsService } = await import('../../intake/src/registry/units.service.js');
  const { DevicesService } = await import('../../intake/src/registry/devices.service.js');
  const { CredentialResolver } = await import('../../intake/src/registry/credential-resolver.js');
  const units = intake.get(UnitsService);
  const devices = intake.get(DevicesService);
  if (!(await units.findUnit(DEMO_UNIT.code))) await units.createUnit(DEMO_SETUP, DEMO_UNIT);
  const existing = (await devices.listDevices(DEMO_UNIT.code)).find((d) => d.windowNo === DEMO_WINDOW && !d.revoked);
  if (existing) {
    const credential = await intake.get(CredentialResolver).resolve('device', existing.deviceId);
    return { deviceId: existing.deviceId, secret: credential!.secret };
  }
  const device = await devices.registerDevice(DEMO_SETUP, { unitCode: DEMO_UNIT.code, windowNo: DEMO_WINDOW, label: '示范窗口评价器' });
  return { deviceId: device.deviceId, secret: device.secret };
}

/** A fresh pairing code for the demo PAD page's device (registered once). */
async function demoPairingCode(intake: INestApplication): Promise<string> {
  const { DevicesService } = await import('../../intake/src/registry/devices.service.js');
  const { PairingService } = await import('../../intake/src/pairing/pairing.service.js');
  const devices = intake.get(DevicesService);
  const existing = (await devices.listDevices(DEMO_UNIT.code)).find((d) => d.windowNo === DEMO_PAD_WINDOW && !d.revoked);
  const deviceId =
    existing?.deviceId ??
    (await devices.registerDevice(DEMO_SETUP, { unitCode: DEMO_UNIT.code, windowNo: DEMO_PAD_WINDOW, label: '示范网页评价器' })).deviceId;
  const issued = await intake.get(PairingService).issue(DEMO_SETUP, deviceId);
  return `${issued.code.slice(0, 4)}-${issued.code.slice(4)}`;
}

async function prepareDemo(intake: INestApplication): Promise<DemoCredentials> {
  const { AccountsService } = await import('../../intake/src/accounts/accounts.service.js');
  const device = await demoDevice(intake);
  const firstAdmin = await intake.get(AccountsService).ensureFirstAdmin();
  return { device, pairingCode: await demoPairingCode(intake), firstAdmin };
}

/** Log lines still buffered for a file (LOG_FILE) are written before the thread ends. */
const flushLogs = () => new Promise<void>((resolve) => (PinoLogger.root ? PinoLogger.root.flush(() => resolve()) : resolve()));

const port = parentPort!;
const service = workerData as ServiceName;
const report = (message: ServiceReport) => port.postMessage(message);

const started = SERVICES[service]().then(({ module, options, port: portOf }) =>
  startService(module, { ...options, shutdownHooks: false }, portOf(loadEnv(process.env))),
);
port.on('message', (message: StopRequest) => {
  if (message.type !== 'stop') return;
  void started
    .then(
      (app) => app.close(),
      () => undefined, // it did not start: the host has heard why
    )
    .then(flushLogs)
    .then(() => report({ type: 'stopped', service }));
});
const app = await started;
const demo = service === 'intake' ? await prepareDemo(app) : undefined;
await flushLogs(); // its start-up lines are out before the host prints the banner
report({ type: 'ready', service, ...(demo ? { demo } : {}) });
