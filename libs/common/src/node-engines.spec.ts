import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/**
 * The Node versions package.json `engines` states are the ones the project runs on: Node 20.19+
 * (CI runs the whole suite on it) and Node 22.13+ (the Dockerfile's image). On 22 every installed
 * package's own `engines` holds; on 20 exactly the packages the README names declare Node ≥ 22 in
 * theirs (npm warns EBADENGINE for them) — a new one fails here until it is judged and named.
 */
const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};
const NODE_20 = '20.19.0';
const NODE_22 = '22.13.0';
/** Declare Node ≥ 22 yet run on 20: nestjs-pino and three pulled in by @nestjs/common, @fastify/static and fastify's inject. */
const DECLARE_22_ONLY = ['content-disposition', 'cookie', 'file-type', 'nestjs-pino'];

const declared = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .map(([path, meta]) => ({
    name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
    range: Array.isArray(meta.engines) ? undefined : meta.engines?.node,
  }))
  .filter((p): p is { name: string; range: string } => typeof p.range === 'string');

describe('Node engines', () => {
  it('package.json states 20.19+ and 22.13+, and the running Node (CI) is within it', () => {
    expect(pkg.engines.node).toBe(`^${NODE_20} || >=${NODE_22}`);
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it("the Dockerfile's images are Node 22, within the stated range", () => {
    const images = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^FROM node:(\d+)/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    for (const major of images) expect(semver.intersects(`${major}.x`, pkg.engines.node)).toBe(true);
    expect(new Set(images)).toEqual(new Set(['22']));
  });

  it("on Node 22 every installed package's engines hold", () => {
    expect(declared.filter((p) => !semver.satisfies(NODE_22, p.range))).toEqual([]);
  });

  it('on Node 20 only the named packages declare otherwise', () => {
    const not20 = [...new Set(declared.filter((p) => !semver.satisfies(NODE_20, p.range)).map((p) => p.name))].sort();
    expect(not20).toEqual(DECLARE_22_ONLY);
  });
});
