export * from './auth.module';
export * from './api-keys.service';
export * from './entities/api-key.entity';
export * from './dto/api-key.dto';
export * from './rate-limiter';
export * from './scope-permissions';
