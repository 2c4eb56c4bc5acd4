import { DynamicModule, Global, Module } from '@nestjs/common';
import { UnitOfWork } from './database/unit-of-work';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { SETTINGS, Settings } from './settings/settings';

export const SERVER_VERSION = Symbol('SERVER_VERSION');

/** Settings, the unit of work and the Idempotency-Key interceptor (used by @IdempotentPost), for every module. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(settings: Settings, version: string): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: SERVER_VERSION, useValue: version },
        UnitOfWork,
        IdempotencyInterceptor,
      ],
      exports: [SETTINGS, SERVER_VERSION, UnitOfWork, IdempotencyInterceptor],
    };
  }
}
