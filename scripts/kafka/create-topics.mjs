// Creates the topics of libs/contracts/src/topics.ts (TOPIC_SPECS) with one admin request,
// and grows the partitions of topics that exist with fewer. Used by scripts/kafka.sh.
//
//   node scripts/kafka/create-topics.mjs 127.0.0.1:9092
//
// topics.ts is the one list: it is transpiled here (it imports nothing) rather than copied.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import ts from 'typescript';

const { Kafka, logLevel } = kafkajs;

export async function loadTopicSpecs() {
  const path = fileURLToPath(new URL('../../libs/contracts/src/topics.ts', import.meta.url));
  const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const module = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  return module.TOPIC_SPECS;
}

async function main() {
  const brokers = (process.argv[2] ?? '127.0.0.1:9092').split(',');
  const specs = await loadTopicSpecs();
  const admin = new Kafka({ clientId: 'create-topics', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({ topic: s.name, numPartitions: s.partitions, replicationFactor: 1 })),
      });
    }
    const present = specs.filter((s) => existing.has(s.name));
    const metadata = present.length ? await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) }) : { topics: [] };
    const grow = metadata.topics
      .map((t) => ({ topic: t.name, have: t.partitions.length, want: specs.find((s) => s.name === t.name).partitions }))
      .filter((t) => t.have < t.want);
    if (grow.length) await admin.createPartitions({ topicPartitions: grow.map((t) => ({ topic: t.topic, count: t.want })) });
    process.stderr.write(
      `[kafka] topics ready: ${specs.map((s) => `${s.name}(${s.partitions})`).join(' ')}` +
        (missing.length ? `; created ${missing.length}` : '') +
        (grow.length ? `; grew ${grow.map((t) => `${t.topic} ${t.have}→${t.want}`).join(', ')}` : '') +
        '\n',
    );
  } finally {
    await admin.disconnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`[kafka] topic creation failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
