export * from './analysis.module';
export * from './analysis.service';
export * from './analysis-inputs';
export * from './score-run';
