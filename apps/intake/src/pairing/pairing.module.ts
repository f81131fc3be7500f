import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { PairingController } from './pairing.controller.js';
import { PairingService } from './pairing.service.js';

@Module({
  imports: [RegistryModule],
  controllers: [PairingController],
  providers: [PairingService],
})
export class PairingModule {}
