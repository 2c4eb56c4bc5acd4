import { Module } from '@nestjs/common';
import { AuditModule } from '@polymaker/api/audit';
import { MetricsModule } from '@polymaker/api/metrics';
import { OutboxModule } from '@polymaker/api/outbox';
import { RunsModule } from '@polymaker/api/runs';
import { TradesModule } from '@polymaker/api/trades';
import { WalletModule } from '@polymaker/api/wallet';
import { SchedulerController } from './scheduler.controller';
import { SchedulerService } from './scheduler.service';

/** Needs ScheduleModule.forRoot() in the app (for the SchedulerRegistry). */
@Module({
  imports: [AuditModule, OutboxModule, RunsModule, WalletModule, MetricsModule, TradesModule],
  controllers: [SchedulerController],
  providers: [SchedulerService],
  exports: [SchedulerService],
})
export class SchedulerModule {}
