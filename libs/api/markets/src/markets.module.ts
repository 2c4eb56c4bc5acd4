import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { TradesModule } from '@polymaker/api/trades';
import { Market } from './entities/market.entity';
import { MarketReport } from './entities/market-report.entity';
import { MarketsController } from './markets.controller';
import { MarketsService } from './markets.service';

@Module({
  imports: [MikroOrmModule.forFeature([Market, MarketReport]), TradesModule],
  controllers: [MarketsController],
  providers: [MarketsService],
  exports: [MarketsService],
})
export class MarketsModule {}
