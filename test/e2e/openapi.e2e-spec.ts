import { readFileSync } from 'node:fs';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument, SERVICES, type ServiceName } from '../../scripts/openapi/documents.js';

type Schema = Record<string, unknown>;
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  parameters?: Array<{ name: string; schema?: Schema }>;
  requestBody?: unknown;
  security?: Array<Record<string, unknown>>;
  'x-roles'?: unknown;
}

/** Services with paged lists (statistics has none). */
const PAGED: Record<ServiceName, boolean> = { intake: true, rectification: true, statistics: false };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM = 'application/problem+json';

function operations(document: OpenAPIObject): Array<{ id: string; op: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => ({
      id: `${m.toUpperCase()} ${path}`,
      op: (item as Record<string, Operation>)[m]!,
    })),
  );
}

/** A schema that says nothing: no type, no reference, no composition. */
const isEmpty = (schema: Schema | undefined) =>
  !schema || !['type', '$ref', 'allOf', 'oneOf', 'anyOf', 'enum', 'items', 'properties'].some((k) => k in schema);

describe.each(SERVICES)('the %s OpenAPI document', (name: ServiceName) => {
  let document: OpenAPIObject;
  beforeAll(async () => {
    document = await buildOpenApiDocument(name);
  });

  it("is the document the console's typed client was generated from (npm run build:console regenerates it)", () => {
    const committed = JSON.parse(readFileSync(`apps/console/src/api/${name}.openapi.json`, 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('gives every operation a response schema for its success (204 aside, which has no body)', () => {
    const missing = operations(document)
      .filter(({ op }) => {
        const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
        if (success.length === 0) return true;
        return success.some(([status, r]) => status !== '204' && Object.values(r.content ?? {}).every((c) => isEmpty(c.schema)));
      })
      .map(({ id }) => id);
    expect(missing).toEqual([]);
  });

  it('documents the errors of every operation that takes input or credentials, each as problem+json', () => {
    const problemRef = '#/components/schemas/ProblemDto';
    const takesSomething = (op: Operation) =>
      (op.parameters ?? []).length > 0 || op.requestBody !== undefined || (op.security ?? []).length > 0;
    const without = operations(document)
      .filter(({ op }) => takesSomething(op) && !Object.keys(op.responses ?? {}).some((status) => /^[45]\d\d$/.test(status)))
      .map(({ id }) => id);
    expect(without).toEqual([]);
    const notProblem = operations(document).flatMap(({ id, op }) =>
      Object.entries(op.responses ?? {})
        .filter(([status]) => /^[45]\d\d$/.test(status))
        .filter(([, r]) => r.content?.[PROBLEM]?.schema?.$ref !== problemRef)
        .map(([status]) => `${id} ${status}`),
    );
    expect(notProblem).toEqual([]);
    expect(document.components?.schemas?.ProblemDto).toMatchObject({
      required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'errors']),
    });
  });

  it('describes page and pageSize as integers wherever they appear, never as empty objects', () => {
    const seen: Array<[string, Schema | undefined]> = [];
    for (const { id, op } of operations(document)) {
      for (const p of (op.parameters ?? []).filter((p) => ['page', 'pageSize'].includes(p.name))) seen.push([`${id} ?${p.name}`, p.schema]);
    }
    for (const [schemaName, schema] of Object.entries(document.components?.schemas ?? {})) {
      const properties = (schema as { properties?: Record<string, Schema> }).properties ?? {};
      if (!('items' in properties)) continue; // a page of items; elsewhere `page` may mean something else (a public page's link)
      for (const key of ['page', 'pageSize'] as const) if (key in properties) seen.push([`${schemaName}.${key}`, properties[key]]);
    }
    expect(seen.length > 0).toBe(PAGED[name]);
    expect(seen.filter(([, schema]) => isEmpty(schema) || !['integer', 'number'].includes(String(schema!.type)))).toEqual([]);
  });

  it('names the roles of every bearer operation (x-roles, from the decorator the guard reads), and only there', () => {
    const roles = ['admin', 'supervisor', 'unit_operator'];
    const wrong = operations(document).flatMap(({ id, op }) => {
      const bearer = (op.security ?? []).some((s) => 'bearer' in s);
      const given = op['x-roles'];
      const valid = Array.isArray(given) && given.length > 0 && given.every((r) => roles.includes(String(r)));
      return bearer === valid && (bearer || given === undefined) ? [] : [`${id} ${JSON.stringify(given ?? null)}`];
    });
    expect(wrong).toEqual([]);
  });
});
