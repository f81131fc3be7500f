// Writes each service's OpenAPI document (the same one it serves at /docs-json) to a folder.
// `npm run build:console` turns them into the console's typed client (openapi-typescript).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument, SERVICES } from './documents.js';

const outDir = process.argv[2] ?? 'dist/openapi';

mkdirSync(outDir, { recursive: true });
for (const name of SERVICES) {
  writeFileSync(join(outDir, `${name}.openapi.json`), `${JSON.stringify(await buildOpenApiDocument(name), null, 2)}\n`);
}
process.stdout.write(`OpenAPI documents written to ${outDir}\n`);
