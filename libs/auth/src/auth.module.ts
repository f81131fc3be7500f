import { Global, Module } from '@nestjs/common';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import { type Env, ENV } from '#libs/common';
import { JwtAuthGuard } from './jwt-auth.guard.js';

export function jwtOptions(env: Pick<Env, 'JWT_SECRET' | 'JWT_PUBLIC_KEY'>): JwtModuleOptions {
  if (env.JWT_PUBLIC_KEY) {
    return { publicKey: env.JWT_PUBLIC_KEY, verifyOptions: { algorithms: ['RS256'] } };
  }
  return { secret: env.JWT_SECRET, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } };
}

@Global()
@Module({
  imports: [JwtModule.registerAsync({ inject: [ENV], useFactory: (env: Env) => jwtOptions(env) })],
  providers: [JwtAuthGuard],
  exports: [JwtModule, JwtAuthGuard],
})
export class AuthModule {}
