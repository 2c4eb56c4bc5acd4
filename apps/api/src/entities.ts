import { Analysis } from '@polymaker/api/analysis';
import { AuditEntry } from '@polymaker/api/audit';
import { ApiKey } from '@polymaker/api/auth';
import { ConfigActivation, ConfigVersion } from '@polymaker/api/config';
import { IdempotencyRecord } from '@polymaker/api/core';
import { Market, MarketReport } from '@polymaker/api/markets';
import { RunMetricPoint } from '@polymaker/api/metrics';
import { Notification, NotificationDelivery } from '@polymaker/api/notifications';
import { OutboxJob } from '@polymaker/api/outbox';
import { Run } from '@polymaker/api/runs';
import { Trade } from '@polymaker/api/trades';

/** Every entity, listed explicitly (discovery by folder does not work from a bundle). */
export const ENTITIES = [
  ApiKey,
  ConfigVersion,
  ConfigActivation,
  Run,
  RunMetricPoint,
  Trade,
  Market,
  MarketReport,
  IdempotencyRecord,
  OutboxJob,
  Analysis,
  Notification,
  NotificationDelivery,
  AuditEntry,
];
