import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HMAC_CREDENTIALS, HmacAuthGuard } from '#libs/auth';
import { CaseEntity } from '../cases/case.entity.js';
import { HotlineCallbackEntity, HotlineClientCopy } from './hotline.entities.js';
import { HotlineClientsService } from './hotline-clients.service.js';
import { HotlineController } from './hotline.controller.js';
import { HotlineConsumer } from './hotline.consumer.js';
import { HotlineDeliveriesService } from './hotline-deliveries.service.js';
import { HotlineDispatcher } from './hotline-dispatcher.service.js';
import { HotlineRepliesService } from './hotline-replies.service.js';
import { HotlineTicketsService } from './hotline-tickets.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CaseEntity, HotlineClientCopy, HotlineCallbackEntity])],
  controllers: [HotlineController, HotlineConsumer],
  providers: [
    HotlineClientsService,
    { provide: HMAC_CREDENTIALS, useExisting: HotlineClientsService },
    HmacAuthGuard,
    HotlineDeliveriesService,
    HotlineDispatcher,
    HotlineRepliesService,
    HotlineTicketsService,
  ],
  exports: [HotlineDispatcher, HotlineRepliesService],
})
export class HotlineModule {}
