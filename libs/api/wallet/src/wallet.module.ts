import { Module } from '@nestjs/common';
import { AuditModule } from '@polymaker/api/audit';
import { MetricsModule } from '@polymaker/api/metrics';
import { OutboxModule } from '@polymaker/api/outbox';
import { WalletController } from './wallet.controller';
import { WalletService } from './wallet.service';

@Module({
  imports: [AuditModule, OutboxModule, MetricsModule],
  controllers: [WalletController],
  providers: [WalletService],
  exports: [WalletService],
})
export class WalletModule {}
