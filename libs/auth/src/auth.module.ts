import { Global, Module } from '@nestjs/common';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import { type Env, ENV } from '#libs/common';
import { SignatureFailureThrottle } from './hmac-auth.guard.js';
import { JWT_CLOCK_TOLERANCE_SECONDS, JwtAuthGuard } from './jwt-auth.guard.js';
import { SessionCheck } from './session-check.js';

export function jwtOptions(env: Pick<Env, 'JWT_SECRET' | 'JWT_PUBLIC_KEY'>): JwtModuleOptions {
  if (env.JWT_PUBLIC_KEY) {
    return { publicKey: env.JWT_PUBLIC_KEY, verifyOptions: { algorithms: ['RS256'], clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS } };
  }
  return {
    secret: env.JWT_SECRET,
    signOptions: { algorithm: 'HS256' },
    verifyOptions: { algorithms: ['HS256'], clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS },
  };
}

@Global()
@Module({
  imports: [JwtModule.registerAsync({ inject: [ENV], useFactory: (env: Env) => jwtOptions(env) })],
  providers: [JwtAuthGuard, SignatureFailureThrottle, SessionCheck],
  exports: [JwtModule, JwtAuthGuard, SignatureFailureThrottle, SessionCheck],
})
export class AuthModule {}
