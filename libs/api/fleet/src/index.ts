export * from './fleet.module';
export * from './fleet.service';
export * from './resolve';
export * from './dto/fleet.dto';
