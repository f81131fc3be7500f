import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HMAC_CREDENTIALS, HmacAuthGuard } from '#libs/auth';
import { CredentialResolver } from './credential-resolver.js';
import { DevicesService } from './devices.service.js';
import { HotlineClientsService } from './hotline-clients.service.js';
import { RegistryController } from './registry.controller.js';
import { DeviceEntity, HotlineClientEntity, UnitEntity } from './registry.entities.js';
import { UnitsService } from './units.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UnitEntity, DeviceEntity, HotlineClientEntity])],
  controllers: [RegistryController],
  providers: [
    UnitsService,
    DevicesService,
    HotlineClientsService,
    CredentialResolver,
    { provide: HMAC_CREDENTIALS, useExisting: CredentialResolver },
    HmacAuthGuard,
  ],
  exports: [UnitsService, DevicesService, HotlineClientsService, CredentialResolver, HMAC_CREDENTIALS, HmacAuthGuard],
})
export class RegistryModule {}
