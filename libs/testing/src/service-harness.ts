import type { INestApplication, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { configureServiceApp, createHttpAdapter, SERVICE_APP_OPTIONS, type ServiceAppOptions } from '#libs/platform';

/**
 * Boots a real service (pipes, guards, filter, transport) on an ephemeral port for supertest.
 * `configure` may override providers (e.g. a fixed data source standing in for a package upgrade).
 */
export async function startTestService(
  rootModule: Type,
  options: ServiceAppOptions,
  configure: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<INestApplication> {
  const moduleRef = await configure(Test.createTestingModule({ imports: [rootModule] })).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(options), SERVICE_APP_OPTIONS);
  configureServiceApp(app, options);
  try {
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    // A start that is refused (e.g. a second instance on the embedded bus) leaves nothing running behind it.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
