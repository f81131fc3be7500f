import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { type Env, ENV, kafkaBrokers } from '#libs/common';
import { kafkaConsumerTuning } from './batch.js';
import { BrokerHealthIndicator } from './broker.health.js';
import { EmbeddedBusServer } from './embedded-bus.server.js';
import { InboxService } from './inbox.service.js';
import { KafkaBatchServer } from './kafka-batch.server.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxService } from './outbox.service.js';
import { EmbeddedEventPublisher, KafkaEventPublisher } from './publishers.js';
import { EVENT_PUBLISHER, MESSAGING_OPTIONS, type MessagingOptions } from './tokens.js';

/** Reconnect quickly after a broker restart: back off up to 5 s between attempts, keep trying. */
export const KAFKA_RETRY = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 30 };

/** Outbox, relay, inbox and the event transport of one service. */
@Module({})
export class MessagingModule {
  static forService(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: EVENT_PUBLISHER,
          inject: [ENV, DataSource],
          useFactory: (env: Env, dataSource: DataSource) => {
            const brokers = kafkaBrokers(env);
            return brokers ? new KafkaEventPublisher(brokers, options.service) : new EmbeddedEventPublisher(dataSource);
          },
        },
        OutboxService,
        OutboxRelay,
        InboxService,
        BrokerHealthIndicator,
      ],
      exports: [OutboxService, OutboxRelay, InboxService, BrokerHealthIndicator, EVENT_PUBLISHER],
    };
  }
}

/**
 * Connects the app's event handlers (`@BatchEventPattern`, `@EventPattern`) to the configured transport:
 * Kafka, consumed a partition's batch at a time (consumer group = service name), when KAFKA_BROKERS is
 * set, else the embedded bus.
 */
export function connectEventTransport(app: INestApplication, options: MessagingOptions): void {
  const env = app.get<Env>(ENV);
  const brokers = kafkaBrokers(env);
  if (brokers) {
    const tuning = kafkaConsumerTuning();
    const server = new KafkaBatchServer(
      {
        postfixId: '',
        client: {
          clientId: `${options.service}-consumer`,
          brokers,
          logLevel: logLevel.WARN,
          retry: { retries: 8, initialRetryTime: 300 },
        },
        consumer: {
          groupId: options.service,
          allowAutoTopicCreation: false,
          sessionTimeout: tuning.sessionTimeout,
          heartbeatInterval: tuning.heartbeatInterval,
          maxBytesPerPartition: tuning.maxBytesPerPartition,
          maxBytes: tuning.maxBytes,
          maxWaitTimeInMs: tuning.maxWaitTimeInMs,
          retry: { retries: 8, initialRetryTime: 300 },
        },
        subscribe: { fromBeginning: true },
        run: { partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently },
      },
      tuning.heartbeatInterval,
    );
    app.connectMicroservice<MicroserviceOptions>({ strategy: server }, { inheritAppConfig: true });
    return;
  }
  app.connectMicroservice<MicroserviceOptions>(
    { strategy: new EmbeddedBusServer(app.get(DataSource), options.service, env.OUTBOX_POLL_MS) },
    { inheritAppConfig: true },
  );
}
