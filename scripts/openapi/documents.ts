// Each service's OpenAPI document (the one it serves at /docs-json), built without a database or broker:
// the Nest apps are built in preview mode, which wires the modules and reads the controllers' metadata
// but instantiates no provider.
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocument, UNPREFIXED_ROUTES } from '#libs/platform';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';

export const SERVICES = ['intake', 'rectification', 'statistics'] as const;
export type ServiceName = (typeof SERVICES)[number];

const APPS: Record<ServiceName, { module: Type; title: string; description: string }> = {
  intake: { module: IntakeModule, ...INTAKE_APP },
  rectification: { module: RectificationModule, ...RECTIFICATION_APP },
  statistics: { module: StatisticsModule, ...STATISTICS_APP },
};

export async function buildOpenApiDocument(name: ServiceName): Promise<OpenAPIObject> {
  const { module, title, description } = APPS[name];
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { preview: true, logger: false });
  // As the services set it (configureServiceApp), so that every documented path is the one served.
  app.setGlobalPrefix('api/v1', { exclude: [...UNPREFIXED_ROUTES] });
  const document = openApiDocument(app, { title, description });
  await app.close();
  return document;
}
