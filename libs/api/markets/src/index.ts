export * from './markets.module';
export * from './markets.service';
export * from './entities/market.entity';
export * from './entities/market-report.entity';
export * from './dto/market.dto';
