export * from './config.module';
export * from './config.service';
export * from './entities/config-version.entity';
export * from './entities/config-activation.entity';
export * from './schema/config-schema';
export * from './schema/validate-config';
export * from './dto/config.dto';
