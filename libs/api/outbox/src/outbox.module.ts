import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { BackOfficeSettingsService } from './back-office-settings.service';
import { OutboxJob } from './entities/outbox-job.entity';
import { OutboxController } from './outbox.controller';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox.worker';

@Module({
  imports: [MikroOrmModule.forFeature([OutboxJob])],
  controllers: [OutboxController],
  providers: [OutboxService, OutboxWorker, BackOfficeSettingsService],
  exports: [OutboxService, OutboxWorker, BackOfficeSettingsService],
})
export class OutboxModule {}
