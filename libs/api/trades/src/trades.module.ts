import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Trade } from './entities/trade.entity';
import { PnlController } from './pnl.controller';
import { PnlService } from './pnl.service';
import { TradesController } from './trades.controller';
import { TradesService } from './trades.service';

@Module({
  imports: [MikroOrmModule.forFeature([Trade])],
  controllers: [TradesController, PnlController],
  providers: [TradesService, PnlService],
  exports: [TradesService, PnlService],
})
export class TradesModule {}
