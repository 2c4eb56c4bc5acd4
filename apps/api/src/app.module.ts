import { Migrator } from '@mikro-orm/migrations';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { AnalysisModule } from '@polymaker/api/analysis';
import { AuditModule } from '@polymaker/api/audit';
import { AuthModule } from '@polymaker/api/auth';
import { BotGatewayModule } from '@polymaker/api/bot-gateway';
import { ConfigModule } from '@polymaker/api/config';
import { ExperimentsModule } from '@polymaker/api/experiments';
import { FleetModule } from '@polymaker/api/fleet';
import { CoreModule, MIGRATIONS, Settings } from '@polymaker/api/core';
import { LiveModule } from '@polymaker/api/live';
import { MarketsModule } from '@polymaker/api/markets';
import { MetricsModule } from '@polymaker/api/metrics';
import { NotificationsModule } from '@polymaker/api/notifications';
import { ObservabilityModule } from '@polymaker/api/observability';
import { OutboxModule } from '@polymaker/api/outbox';
import { RunsModule } from '@polymaker/api/runs';
import { SchedulerModule } from '@polymaker/api/scheduler';
import { TradesModule } from '@polymaker/api/trades';
import { WalletModule } from '@polymaker/api/wallet';
import { ENTITIES } from './entities';
import { HealthController } from './health.controller';

export interface AppOptions {
  settings: Settings;
  databaseUrl: string;
  version: string;
  /** false builds the app without touching a database (to write the OpenAPI spec). */
  connect: boolean;
  /** Where MikroORM's own messages (migrations applied) go. */
  log: (message: string) => void;
}

/**
 * While the database is unreachable, requests fail fast (and are answered 503) instead of queueing: a short
 * connect timeout (DB_CONNECT_TIMEOUT_MS) and a short wait for a pooled connection (DB_ACQUIRE_TIMEOUT_MS).
 * A connection that broke is dropped by the pool and a new one is opened once the database is back.
 */
function databaseTimeouts(settings: Settings) {
  const { dbConnectTimeoutMs, dbAcquireTimeoutMs } = settings.resilience;
  return {
    pool: {
      acquireTimeoutMillis: dbAcquireTimeoutMs,
      createTimeoutMillis: dbConnectTimeoutMs,
      createRetryIntervalMillis: 200,
    },
    driverOptions: { connection: { connectionTimeoutMillis: dbConnectTimeoutMs, keepAlive: true } },
  };
}

/** The composition root: every domain module, the database and the cross-cutting pieces. */
@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options.settings, options.version),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        ScheduleModule.forRoot(),
        MikroOrmModule.forRoot({
          driver: PostgreSqlDriver,
          clientUrl: options.databaseUrl,
          entities: ENTITIES,
          extensions: [Migrator],
          migrations: {
            migrationsList: MIGRATIONS,
            transactional: true,
            allOrNothing: true,
            snapshot: false,
          },
          connect: options.connect,
          registerRequestContext: false,
          forceUtcTimezone: true,
          pool: { min: 2, max: 20, ...databaseTimeouts(options.settings).pool }, // two warm connections: the first writes after a quiet spell skip the connect
          driverOptions: {
            ...databaseTimeouts(options.settings).driverOptions,
            log: { warn: (message: string) => options.log(String(message)) },
          },
          debug: false,
          colors: false,
          logger: options.log,
        }),
        AuditModule,
        AuthModule,
        ConfigModule,
        FleetModule,
        ExperimentsModule,
        RunsModule,
        MetricsModule,
        TradesModule,
        MarketsModule,
        AnalysisModule,
        BotGatewayModule,
        LiveModule,
        OutboxModule,
        NotificationsModule,
        WalletModule,
        SchedulerModule,
        ObservabilityModule,
      ],
      controllers: [HealthController],
    };
  }
}
