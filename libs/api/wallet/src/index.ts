export * from './wallet.module';
export * from './wallet.service';
export * from './low-balance';
export * from './polygon-rpc';
export * from './dto/wallet.dto';
