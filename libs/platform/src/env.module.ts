import { Global, Module } from '@nestjs/common';
import { ENV, loadEnv } from '#libs/common';

/** The validated environment, injectable everywhere as `ENV`. */
@Global()
@Module({
  providers: [{ provide: ENV, useFactory: () => loadEnv(process.env) }],
  exports: [ENV],
})
export class EnvModule {}
