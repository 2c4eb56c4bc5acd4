import { Module } from '@nestjs/common';
import { FleetModule } from '@polymaker/api/fleet';
import { NotificationsModule } from '@polymaker/api/notifications';
import { OutboxModule } from '@polymaker/api/outbox';
import { RunsModule } from '@polymaker/api/runs';
import { ApiMetrics } from './api-metrics';
import { MetricsController } from './metrics.controller';

/** GET /metrics: Prometheus metrics of this instance (see ApiMetrics). */
@Module({
  imports: [RunsModule, FleetModule, OutboxModule, NotificationsModule],
  controllers: [MetricsController],
  providers: [ApiMetrics],
  exports: [ApiMetrics],
})
export class ObservabilityModule {}
