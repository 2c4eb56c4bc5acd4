import { Module } from '@nestjs/common';
import { AnalysisModule } from '@polymaker/api/analysis';
import { ConfigModule } from '@polymaker/api/config';
import { FleetModule } from '@polymaker/api/fleet';
import { MarketsModule } from '@polymaker/api/markets';
import { MetricsModule } from '@polymaker/api/metrics';
import { RunsModule } from '@polymaker/api/runs';
import { TradesModule } from '@polymaker/api/trades';
import { BotGatewayController } from './bot-gateway.controller';
import { BotGatewayService } from './bot-gateway.service';

@Module({
  imports: [
    ConfigModule,
    FleetModule,
    RunsModule,
    MetricsModule,
    TradesModule,
    MarketsModule,
    AnalysisModule,
  ],
  controllers: [BotGatewayController],
  providers: [BotGatewayService],
})
export class BotGatewayModule {}
