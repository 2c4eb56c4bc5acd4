import { Module } from '@nestjs/common';
import { OutboxModule } from '@polymaker/api/outbox';
import { WalletController } from './wallet.controller';
import { WalletService } from './wallet.service';

@Module({
  imports: [OutboxModule],
  controllers: [WalletController],
  providers: [WalletService],
  exports: [WalletService],
})
export class WalletModule {}
