// Writes each service's OpenAPI document (the same one it serves at /docs-json) to a folder, without a
// database or broker: the Nest apps are built in preview mode, which wires the modules and reads the
// controllers' metadata but instantiates no provider. `npm run build:console` turns them into the
// console's typed client (openapi-typescript).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { openApiDocument } from '#libs/platform';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';

const outDir = process.argv[2] ?? 'dist/openapi';

async function exportDocument(name: string, module: Type, title: string, description: string): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { preview: true, logger: false });
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'metrics'] });
  const document = openApiDocument(app, { title, description });
  writeFileSync(join(outDir, `${name}.openapi.json`), `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
}

mkdirSync(outDir, { recursive: true });
await exportDocument('intake', IntakeModule, INTAKE_APP.title, INTAKE_APP.description);
await exportDocument('rectification', RectificationModule, RECTIFICATION_APP.title, RECTIFICATION_APP.description);
await exportDocument('statistics', StatisticsModule, STATISTICS_APP.title, STATISTICS_APP.description);
process.stdout.write(`OpenAPI documents written to ${outDir}\n`);
