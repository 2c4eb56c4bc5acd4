export * from './live.module';
export * from './live-events.service';
