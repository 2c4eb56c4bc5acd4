import { BadRequestException, Body, Controller, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { IdParam } from '@polymaker/api/core';
import {
  ChannelsView,
  ChannelTestView,
  DeliveryListView,
  DeliveryQueryDto,
  MarkAllReadView,
  NotificationListView,
  NotificationQueryDto,
  NotificationView,
  UpdateEmailChannelDto,
  UpdateTelegramChannelDto,
  UpdateWebhookChannelDto,
} from './dto/notification.dto';
import { NotificationsService } from './notifications.service';
import { NotificationChannelsService } from './notification-channels.service';

/** The inbox and delivery log (targets masked) are readable by every admin-API scope; marking read needs operator (the inbox is shared); channels (which hold the SMTP password, webhook token and Telegram bot token) are admin only, reads included. */
@ApiTags('notifications')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly channelSettings: NotificationChannelsService,
  ) {}

  @Get('notifications')
  @ApiOperation({
    operationId: 'listNotifications',
    summary: 'The in-app inbox, newest first, with each delivery',
  })
  @ApiOkResponse({ type: NotificationListView })
  list(@Query() query: NotificationQueryDto): Promise<NotificationListView> {
    return this.notifications.list(query);
  }

  @IdempotentPost('notifications/read-all')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({ operationId: 'markAllNotificationsRead', summary: 'Mark the whole inbox read' })
  @ApiOkResponse({ type: MarkAllReadView })
  readAll(): Promise<MarkAllReadView> {
    return this.notifications.markAllRead();
  }

  @Get('notifications/:id')
  @ApiOperation({ operationId: 'getNotification', summary: 'One notification with its delivery log' })
  @ApiOkResponse({ type: NotificationView })
  get(@IdParam() id: number): Promise<NotificationView> {
    return this.notifications.get(id);
  }

  @IdempotentPost('notifications/:id/read')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({ operationId: 'markNotificationRead', summary: 'Mark one notification read' })
  @ApiOkResponse({ type: NotificationView })
  read(@IdParam() id: number): Promise<NotificationView> {
    return this.notifications.markRead(id, true);
  }

  @IdempotentPost('notifications/:id/unread')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({ operationId: 'markNotificationUnread', summary: 'Mark one notification unread again' })
  @ApiOkResponse({ type: NotificationView })
  unread(@IdParam() id: number): Promise<NotificationView> {
    return this.notifications.markRead(id, false);
  }

  @Get('notification-deliveries')
  @ApiOperation({
    operationId: 'listNotificationDeliveries',
    summary: 'The delivery log: per notification and channel, status, attempts, last error',
  })
  @ApiOkResponse({ type: DeliveryListView })
  async deliveries(@Query() query: DeliveryQueryDto): Promise<DeliveryListView> {
    return { items: await this.notifications.deliveries(query) };
  }

  @Get('notification-channels')
  @RequiresScope('admin')
  @ApiOperation({
    operationId: 'getNotificationChannels',
    summary:
      'Email, webhook and Telegram settings in effect (environment defaults, admin overrides; secrets masked)',
  })
  @ApiOkResponse({ type: ChannelsView })
  channels(): Promise<ChannelsView> {
    return this.channelSettings.channelsView();
  }

  @Put('notification-channels/email')
  @RequiresScope('admin')
  @ApiOperation({
    operationId: 'updateEmailChannel',
    summary: 'Override the email settings (null goes back to the environment value)',
  })
  @ApiOkResponse({ type: ChannelsView })
  updateEmail(@Body() body: UpdateEmailChannelDto): Promise<ChannelsView> {
    return this.channelSettings.updateEmail(body);
  }

  @Put('notification-channels/webhook')
  @RequiresScope('admin')
  @ApiOperation({
    operationId: 'updateWebhookChannel',
    summary: 'Override the webhook settings (null goes back to the environment value)',
  })
  @ApiOkResponse({ type: ChannelsView })
  updateWebhook(@Body() body: UpdateWebhookChannelDto): Promise<ChannelsView> {
    return this.channelSettings.updateWebhook(body);
  }

  @Put('notification-channels/telegram')
  @RequiresScope('admin')
  @ApiOperation({
    operationId: 'updateTelegramChannel',
    summary:
      'Override the Telegram settings: bot token and chat id (null goes back to the environment value)',
  })
  @ApiOkResponse({ type: ChannelsView })
  updateTelegram(@Body() body: UpdateTelegramChannelDto): Promise<ChannelsView> {
    return this.channelSettings.updateTelegram(body);
  }

  @IdempotentPost('notification-channels/:channel/test')
  @RequiresScope('admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'testNotificationChannel',
    summary: 'Send a test message on one channel now and report what happened',
  })
  @ApiParam({ name: 'channel', enum: ['email', 'webhook', 'telegram'] })
  @ApiOkResponse({ type: ChannelTestView })
  test(@Param('channel') channel: string): Promise<ChannelTestView> {
    if (channel !== 'email' && channel !== 'webhook' && channel !== 'telegram')
      throw new BadRequestException('channel must be email, webhook or telegram.');
    return this.channelSettings.sendTest(channel);
  }
}
