import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { MetricsModule } from '@polymaker/api/metrics';
import { TradesModule } from '@polymaker/api/trades';
import { Run } from './entities/run.entity';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';

@Module({
  imports: [MikroOrmModule.forFeature([Run]), MetricsModule, TradesModule],
  controllers: [RunsController],
  providers: [RunsService],
  exports: [RunsService],
})
export class RunsModule {}
