import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { type Env, ENV, kafkaBrokers, MetricsRegistry } from '#libs/common';
import { BrokerHealthIndicator } from './broker.health.js';
import { EmbeddedBusServer } from './embedded-bus.server.js';
import { FactReplayer } from './fact-replayer.js';
import { InboxService } from './inbox.service.js';
import { EMBEDDED_BATCH_SIZE } from './batch.js';
import { KafkaBatchServer } from './kafka-batch.server.js';
import { KAFKA_CONSUMER_SETTINGS, KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY, kafkaConsumerOptions } from './kafka-settings.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxService } from './outbox.service.js';
import { ConsumerGroups, PipelineMonitor } from './pipeline-monitor.js';
import { ScheduledJobs } from './scheduled-jobs.js';
import { EmbeddedEventPublisher, KafkaEventPublisher } from './publishers.js';
import { EVENT_PUBLISHER, MESSAGING_OPTIONS, type MessagingOptions } from './tokens.js';

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
          inject: [ENV, DataSource, MetricsRegistry],
          useFactory: (env: Env, dataSource: DataSource, metrics: MetricsRegistry) => {
            const brokers = kafkaBrokers(env);
            return brokers
              ? new KafkaEventPublisher(brokers, options.service, { onRebuild: (reason) => metrics.relayRestarts.inc({ reason }) })
              : new EmbeddedEventPublisher(dataSource);
          },
        },
        OutboxService,
        OutboxRelay,
        InboxService,
        BrokerHealthIndicator,
        ConsumerGroups,
        PipelineMonitor,
        ScheduledJobs,
        FactReplayer,
      ],
      exports: [
        OutboxService,
        OutboxRelay,
        InboxService,
        BrokerHealthIndicator,
        ConsumerGroups,
        PipelineMonitor,
        ScheduledJobs,
        FactReplayer,
        EVENT_PUBLISHER,
      ],
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
  const server = brokers
    ? new KafkaBatchServer(
        {
          postfixId: '',
          ...kafkaConsumerOptions(options.service, brokers),
          subscribe: { fromBeginning: true },
          run: { partitionsConsumedConcurrently: KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY },
        },
        {
          heartbeatMs: KAFKA_CONSUMER_SETTINGS.heartbeatInterval,
          stallMs: env.KAFKA_CONSUMER_STALL_SECONDS * 1000,
          metrics: app.get(MetricsRegistry),
        },
      )
    : new EmbeddedBusServer(
        app.get(DataSource),
        options.service,
        env.OUTBOX_POLL_MS,
        app.get(MetricsRegistry),
        EMBEDDED_BATCH_SIZE,
        env.EMBEDDED_BUS_PARTITIONS,
      );
  // Lag is measured on the topics the group's handlers read (see PipelineMonitor).
  app.get(ConsumerGroups).register(options.service, () => [...server.getHandlers().keys()]);
  app.connectMicroservice<MicroserviceOptions>({ strategy: server }, { inheritAppConfig: true });
}
