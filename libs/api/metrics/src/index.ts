export * from './metrics.module';
export * from './metrics.service';
export * from './metric-keys';
export * from './entities/run-metric-point.entity';
export * from './dto/metric-point.dto';
