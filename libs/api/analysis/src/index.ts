export * from './analysis.module';
export * from './analysis.service';
export * from './analysis-inputs';
export * from './score-run';
export * from './suggest';
export * from './entities/analysis.entity';
export * from './dto/analysis.dto';
export * from './version-segments';
