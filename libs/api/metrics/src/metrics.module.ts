import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { RunMetricPoint } from './entities/run-metric-point.entity';
import { MetricsService } from './metrics.service';

@Module({
  imports: [MikroOrmModule.forFeature([RunMetricPoint])],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
