export * from './audit.module';
export * from './audit.service';
export * from './audit-actions';
export * from './audit-context';
export * from './redact';
export * from './entities/audit-entry.entity';
export * from './dto/audit.dto';
