export * from './trades.module';
export * from './trades.service';
export * from './trade-input';
export * from './entities/trade.entity';
export * from './dto/trade.dto';
export * from './pnl.service';
export * from './dto/pnl.dto';
