export * from './outbox.module';
export * from './outbox.service';
export * from './outbox.worker';
export * from './backoff';
export * from './back-office-settings.service';
export * from './entities/outbox-job.entity';
export * from './dto/outbox-job.dto';
export const OUTBOX_TOPICS = {
  /** { runId, trigger }: analyse a run (stale runs) and store the analysis. */
  analyzeRun: 'analysis.run',
  /** { kind, runId?, ... }: build a notification, put it in the inbox and queue one delivery per channel. */
  notify: 'notification.create',
  /** { deliveryId }: send one notification over one channel. */
  deliver: 'notification.deliver',
} as const;
