export * from './runs.module';
export * from './runs.service';
export * from './entities/run.entity';
export * from './dto/run.dto';
