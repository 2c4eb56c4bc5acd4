export * from './experiments.module';
export * from './experiments.service';
export * from './dto/experiment.dto';
