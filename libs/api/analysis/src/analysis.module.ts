import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '@polymaker/api/audit';
import { ConfigModule } from '@polymaker/api/config';
import { FleetModule } from '@polymaker/api/fleet';
import { MetricsModule } from '@polymaker/api/metrics';
import { OutboxModule } from '@polymaker/api/outbox';
import { RunsModule } from '@polymaker/api/runs';
import { TradesModule } from '@polymaker/api/trades';
import { AnalysisController } from './analysis.controller';
import { AnalysisService } from './analysis.service';
import { VersionTimeService } from './version-time.service';
import { Analysis } from './entities/analysis.entity';

@Module({
  imports: [
    MikroOrmModule.forFeature([Analysis]),
    ConfigModule,
    RunsModule,
    TradesModule,
    MetricsModule,
    OutboxModule,
    AuditModule,
    FleetModule,
  ],
  controllers: [AnalysisController],
  providers: [AnalysisService, VersionTimeService],
  exports: [AnalysisService, VersionTimeService],
})
export class AnalysisModule {}
