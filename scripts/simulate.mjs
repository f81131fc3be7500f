// npm run simulate — realistic 好差评 traffic against a running intake service, for demos and soak tests.
//
// A fleet of signed PADs (one per window) rates services: mostly 5s, some 4s and 3s, rare bad
// reviews (1–2) with tags, a comment and the reviewer's phone; now and then a PAD that was offline
// uploads its backlog through /ratings/batch, a PAD retries a rating (duplicate), and the 12345
// hotline transfers a complaint. Prints a one-line summary every 5 s and on exit (Ctrl-C).
//
// Env: INTAKE_URL (default http://127.0.0.1:3001), JWT_SECRET (the services' secret, for the admin
//      set-up calls; default: the one `npm start` keeps in ./.data/secrets.json), SIM_RATE (ratings/s, default 20), SIM_DURATION (s, default: until Ctrl-C),
//      SIM_DEVICES_PER_UNIT (default: enough that each PAD rates about once per 20 s).
// About once in 2,000 requests a PAD is abused (7 ratings within seconds): intake flags them suspect.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { call, setUpFleet, signed, UNITS, waitForHealth } from './bench/intake-client.mjs';

const baseUrl = process.env.INTAKE_URL ?? 'http://127.0.0.1:3001';
// `npm start` keeps its generated secret in ./.data/secrets.json: use it when JWT_SECRET is not set.
const keptSecrets = existsSync('.data/secrets.json') ? JSON.parse(readFileSync('.data/secrets.json', 'utf8')) : {};
const jwtSecret = process.env.JWT_SECRET ?? keptSecrets.JWT_SECRET;
if (!jwtSecret) {
  process.stderr.write('simulate: set JWT_SECRET to the services’ JWT secret (used to register units and devices as admin)\n');
  process.exit(1);
}
const ratePerSecond = Number(process.env.SIM_RATE ?? 20);
const durationS = process.env.SIM_DURATION ? Number(process.env.SIM_DURATION) : Infinity;
// A person needs well over 10 s per rating: enough PADs that normal traffic never looks like 刷评.
const devicesPerUnit = Number(process.env.SIM_DEVICES_PER_UNIT ?? Math.max(4, Math.ceil((ratePerSecond * 20) / UNITS.length)));
const out = (line) => process.stdout.write(`${line}\n`);

const ITEMS = [
  ['310105-XK-0001', '食品经营许可'],
  ['310105-XK-0002', '营业执照变更登记'],
  ['310105-GG-0003', '社会保障卡补换'],
  ['310105-GG-0004', '个人所得税汇算清缴咨询'],
  ['310105-XK-0005', '出入境证件办理'],
];
const TAGS = ['ATTITUDE', 'EFFICIENCY', 'PROCESS', 'GUIDANCE', 'ENVIRONMENT', 'POLICY', 'REPEATED_VISITS', 'OTHER'];
const COMMENTS = ['等了很久', '材料要求没有一次性告知', '窗口人员态度不好', '系统反复出错', '跑了好几趟'];
const NAMES = ['张三', '李四', '王五', '赵六', '欧阳娜娜'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const phone = () => `1${pick(['3', '5', '7', '8', '9'])}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
const runId = randomBytes(3).toString('hex');
let seq = 0;

function level() {
  const r = Math.random();
  return r < 0.9 ? 5 : r < 0.96 ? 4 : r < 0.98 ? 3 : r < 0.99 ? 2 : 1;
}

function rating(device, ratedAt = new Date()) {
  const lv = level();
  const [code, name] = pick(ITEMS);
  seq += 1;
  return {
    serviceRecordId: `${device.unitCode}-${runId}-${seq}`,
    serviceItemCode: code,
    serviceItemName: name,
    staffId: `E${1000 + Math.floor(Math.random() * 50)}`,
    level: lv,
    ...(lv <= 2 ? { tags: [pick(TAGS)], comment: pick(COMMENTS), reviewer: { name: pick(NAMES), phone: phone() } } : {}),
    ratedAt: ratedAt.toISOString(),
  };
}

const stats = { created: 0, duplicate: 0, conflict: 0, rejected: 0, batches: 0, complaints: 0, rateLimited: 0, errors: 0 };
const sent = [];

async function post(path, body, idHeader, cred) {
  const raw = JSON.stringify(body);
  return call(baseUrl, 'POST', path, { headers: signed(idHeader, cred.id, cred.secret, 'POST', path, raw), body: raw });
}

function count(res) {
  if (res.status === 201) stats.created += 1;
  else if (res.status === 200) stats.duplicate += 1;
  else if (res.status === 409) stats.conflict += 1;
  else if (res.status === 429) stats.rateLimited += 1;
  else if (res.status === 400) stats.rejected += 1;
  else stats.errors += 1;
}

async function tick(fleet) {
  const r = Math.random();
  const device = pick(fleet.devices);
  if (r < 0.003) {
    // An offline PAD uploads the day's backlog (ratings a few minutes apart, so no 刷评 flag).
    const start = Date.now() - 6 * 3600 * 1000;
    const items = Array.from({ length: 20 + Math.floor(Math.random() * 200) }, (_, i) => rating(device, new Date(start + i * 90_000)));
    const res = await post('/api/v1/ratings/batch', { ratings: items }, 'x-device-id', device);
    stats.batches += 1;
    if (res.status === 200) for (const item of res.body.results) stats[item.status === 'rejected' ? 'rejected' : item.status] += 1;
    else count(res);
  } else if (r < 0.0035) {
    // 刷评: someone taps the PAD seven times in a few seconds; intake stores them flagged suspect.
    for (let i = 0; i < 7; i++)
      count(await post('/api/v1/ratings', rating(device, new Date(Date.now() + i * 1000 - 7000)), 'x-device-id', device));
    stats.bursts = (stats.bursts ?? 0) + 1;
  } else if (r < 0.005) {
    const body = {
      ticketId: `12345-${runId}-${seq++}`,
      unitCode: device.unitCode,
      category: pick(['COMPLAINT', 'COMPLAINT', 'REQUEST', 'SUGGESTION', 'CONSULTATION']),
      content: `${pick(ITEMS)[1]}：${pick(COMMENTS)}`,
      citizen: { name: pick(NAMES), phone: phone() },
      receivedAt: new Date(Date.now() - 3600_000).toISOString(),
      transferredAt: new Date().toISOString(),
    };
    const res = await post('/api/v1/hotline/complaints', body, 'x-client-id', fleet.hotline);
    stats.complaints += res.status === 201 ? 1 : 0;
    if (res.status >= 300) count(res);
  } else if (r < 0.02 && sent.length) {
    // A PAD that lost the response retries the same rating: answered 200 duplicate.
    const [dev, body] = pick(sent);
    count(await post('/api/v1/ratings', body, 'x-device-id', dev));
  } else {
    const body = rating(device);
    const res = await post('/api/v1/ratings', body, 'x-device-id', device);
    count(res);
    if (res.status === 201) {
      sent.push([device, body]);
      if (sent.length > 1000) sent.shift();
    }
  }
}

await waitForHealth(baseUrl);
const fleet = await setUpFleet(baseUrl, jwtSecret, { units: UNITS, devicesPerUnit });
out(
  `simulate: ${fleet.devices.length} PADs in ${UNITS.length} units and one 12345 client against ${baseUrl}, ~${ratePerSecond} requests/s`,
);
const startedAt = Date.now();
let stop = false;
process.on('SIGINT', () => {
  stop = true;
});
const summary = () => out(`${Math.round((Date.now() - startedAt) / 1000)}s ${JSON.stringify(stats)}`);
const reporter = setInterval(summary, 5000);
const inFlight = new Set();
while (!stop && Date.now() - startedAt < durationS * 1000) {
  const p = tick(fleet)
    .catch(() => {
      stats.errors += 1;
    })
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  await new Promise((r) => setTimeout(r, 1000 / ratePerSecond));
}
await Promise.all(inFlight);
clearInterval(reporter);
summary();
