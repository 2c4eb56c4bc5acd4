import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AnalysisModule } from '@polymaker/api/analysis';
import { AuditModule } from '@polymaker/api/audit';
import { RunsModule } from '@polymaker/api/runs';
import { OutboxModule } from '@polymaker/api/outbox';
import { NotificationDelivery } from './entities/notification-delivery.entity';
import { Notification } from './entities/notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { NotificationChannelsService } from './notification-channels.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([Notification, NotificationDelivery]),
    OutboxModule,
    AuditModule,
    RunsModule,
    AnalysisModule,
  ],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationChannelsService],
  exports: [NotificationsService, NotificationChannelsService],
})
export class NotificationsModule {}
