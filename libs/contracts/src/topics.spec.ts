import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPIC_SPECS, Topics } from './topics.js';

describe('the one topic list', () => {
  it('names every topic once, each with the default partition count', () => {
    expect(TOPIC_SPECS.map((s) => s.name)).toEqual(Object.values(Topics));
    expect(TOPIC_SPECS.every((s) => s.partitions === 12)).toBe(true);
  });

  it('is what docker-compose.yml creates, partitions included', () => {
    const compose = readFileSync(join(process.cwd(), 'docker-compose.yml'), 'utf8');
    const loop = /for t in ([^;]+); do/.exec(compose);
    expect(loop).not.toBeNull();
    const created = loop![1]
      .trim()
      .split(/\s+/)
      .map((pair) => {
        const [name, partitions] = pair.split(':');
        return { name, partitions: Number(partitions) };
      });
    expect(created).toEqual(TOPIC_SPECS.map((s) => ({ name: s.name, partitions: s.partitions })));
    expect(compose).toMatch(new RegExp(`KAFKA_NUM_PARTITIONS: ${TOPIC_SPECS[0].partitions}\\b`));
  });
});
