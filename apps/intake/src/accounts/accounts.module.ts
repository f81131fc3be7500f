import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RegistryModule } from '../registry/registry.module.js';
import { AuditController, AuthController, PeopleController, UsersController } from './accounts.controller.js';
import { AuditEntryEntity, RefreshTokenEntity, UserEntity } from './accounts.entities.js';
import { AccountsService } from './accounts.service.js';
import { AuditConsumer } from './audit.consumer.js';
import { AuditService } from './audit.service.js';
import { LoginThrottle } from './login-throttle.js';
import { TokenIssuer } from './token-issuer.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, RefreshTokenEntity, AuditEntryEntity]), RegistryModule],
  controllers: [AuthController, UsersController, PeopleController, AuditController, AuditConsumer],
  providers: [AccountsService, UsersService, AuditService, TokenIssuer, LoginThrottle],
  exports: [AccountsService, AuditService],
})
export class AccountsModule {}
