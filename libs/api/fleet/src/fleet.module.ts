import { Module } from '@nestjs/common';
import { AuditModule } from '@polymaker/api/audit';
import { AuthModule } from '@polymaker/api/auth';
import { ConfigModule } from '@polymaker/api/config';
import { MarketsModule } from '@polymaker/api/markets';
import { RunsModule } from '@polymaker/api/runs';
import { TradesModule } from '@polymaker/api/trades';
import { FleetController } from './fleet.controller';
import { FleetService } from './fleet.service';

@Module({
  imports: [AuditModule, AuthModule, ConfigModule, MarketsModule, RunsModule, TradesModule],
  controllers: [FleetController],
  providers: [FleetService],
  exports: [FleetService],
})
export class FleetModule {}
