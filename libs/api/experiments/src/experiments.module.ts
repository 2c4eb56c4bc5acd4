import { Module } from '@nestjs/common';
import { AnalysisModule } from '@polymaker/api/analysis';
import { AuditModule } from '@polymaker/api/audit';
import { ConfigModule } from '@polymaker/api/config';
import { FleetModule } from '@polymaker/api/fleet';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';

@Module({
  imports: [AnalysisModule, AuditModule, ConfigModule, FleetModule],
  controllers: [ExperimentsController],
  providers: [ExperimentsService],
  exports: [ExperimentsService],
})
export class ExperimentsModule {}
