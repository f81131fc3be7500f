import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HMAC_CREDENTIALS, HmacAuthGuard } from '#libs/auth';
import { RegistryController } from './registry.controller.js';
import { DeviceEntity, HotlineClientEntity, UnitEntity } from './registry.entities.js';
import { RegistryService } from './registry.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UnitEntity, DeviceEntity, HotlineClientEntity])],
  controllers: [RegistryController],
  providers: [RegistryService, { provide: HMAC_CREDENTIALS, useExisting: RegistryService }, HmacAuthGuard],
  exports: [RegistryService, HMAC_CREDENTIALS, HmacAuthGuard],
})
export class RegistryModule {}
