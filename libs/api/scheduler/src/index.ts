export * from './scheduler.module';
export * from './scheduler.service';
export * from './job-lock';
export * from './dto/scheduler.dto';
