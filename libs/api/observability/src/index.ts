export * from './observability.module';
export * from './api-metrics';
export * from './metrics-key';
