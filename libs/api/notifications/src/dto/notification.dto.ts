import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import {
  CleanText,
  PageQueryDto,
  QueryId,
  QueryWholeNumber,
  TELEGRAM_CHAT_ID_PATTERN,
  TELEGRAM_TOKEN_PATTERN,
} from '@polymaker/api/core';

export class DeliveryView {
  @ApiProperty({ example: 5 }) id!: number;
  @ApiProperty({ example: 3 }) notificationId!: number;
  @ApiProperty({ enum: ['email', 'webhook', 'telegram'] }) channel!: string;
  @ApiProperty({
    example: 'ops@example.com',
    description: 'Recipients, the webhook URL with its secret part hidden, or the Telegram chat id',
  })
  target!: string;
  @ApiProperty({ enum: ['pending', 'sent', 'failed'] }) status!: string;
  @ApiProperty({ example: 2 }) attempts!: number;
  @ApiProperty({ nullable: true, type: String, example: 'SMTP smtp://mail:25: connect ECONNREFUSED' })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the next attempt is due (pending only)' })
  nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { messageId: '<abc@host>' } })
  detail!: Record<string, unknown>;
  @ApiProperty() createdAt!: string;
}

export class NotificationView {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ enum: ['run-summary', 'run-error', 'run-stale', 'wallet-low', 'test'] }) kind!: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] }) severity!: string;
  @ApiProperty({ example: 'Run #42 completed · score 63/100 · P&L +12.5 USDC' }) title!: string;
  @ApiProperty({ description: 'Plain-text body (the email text part)' }) text!: string;
  @ApiProperty({ description: 'HTML body (the email HTML part)' }) html!: string;
  @ApiProperty({ nullable: true, type: String, example: 'https://cc.example.com/runs/42' }) link!:
    string | null;
  @ApiProperty({ nullable: true, type: Number, example: 42 }) runId!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 2,
    description: 'The bot it is about (its run’s, or a low balance’s source)',
  })
  botId!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'facts and paragraphs it was rendered from',
  })
  data!: Record<string, unknown>;
  @ApiProperty() createdAt!: string;
  @ApiProperty() read!: boolean;
  @ApiProperty({ nullable: true, type: String }) readAt!: string | null;
  @ApiProperty({ type: [DeliveryView] }) deliveries!: DeliveryView[];
}

export class NotificationListView {
  @ApiProperty({ type: [NotificationView] }) items!: NotificationView[];
  @ApiProperty({ example: 12 }) total!: number;
  @ApiProperty({ example: 2, description: 'Unread notifications in the whole inbox' }) unread!: number;
}

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: unread only' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  )
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @ApiPropertyOptional({ enum: ['run-summary', 'run-error', 'run-stale', 'wallet-low', 'test'] })
  @IsOptional()
  @IsIn(['run-summary', 'run-error', 'run-stale', 'wallet-low', 'test'])
  kind?: string;

  @ApiPropertyOptional({ description: 'Only those about this bot (botId, as GET /api/v1/bots lists it)' })
  @IsOptional()
  @QueryId()
  botId?: number;
}

export class DeliveryQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'sent', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'sent', 'failed'])
  status?: 'pending' | 'sent' | 'failed';

  @ApiPropertyOptional({ enum: ['email', 'webhook', 'telegram'] })
  @IsOptional()
  @IsIn(['email', 'webhook', 'telegram'])
  channel?: 'email' | 'webhook' | 'telegram';

  @ApiPropertyOptional({ example: 3 })
  @IsOptional()
  @QueryId()
  notificationId?: number;

  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @QueryWholeNumber(1, 1000)
  limit?: number;
}

export class DeliveryListView {
  @ApiProperty({ type: [DeliveryView] }) items!: DeliveryView[];
}

export class MarkAllReadView {
  @ApiProperty({ example: 4 }) updated!: number;
}

export class EmailChannelView {
  @ApiProperty({ description: 'Sends when true and configured' }) enabled!: boolean;
  @ApiProperty({ description: 'An SMTP URL and at least one recipient are set' }) configured!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'smtp://user:***@mail.example.com:587',
    description: 'Password hidden',
  })
  smtpUrl!: string | null;
  @ApiProperty({ example: 'PolyMaker <bot@example.com>' }) from!: string;
  @ApiProperty({ type: [String], example: ['ops@example.com'] }) to!: string[];
}

export class WebhookChannelView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty() configured!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'https://discord.com/api/…',
    description: 'Secret path hidden',
  })
  url!: string | null;
  @ApiProperty({ enum: ['generic', 'discord', 'slack'] }) format!: string;
}

export class TelegramChannelView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'A bot token and a chat id are set' }) configured!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '123456789:***',
    description: "The bot's id; the secret is never shown",
  })
  botToken!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '-1001234567890' }) chatId!: string | null;
}

export class ChannelsView {
  @ApiProperty({ type: EmailChannelView }) email!: EmailChannelView;
  @ApiProperty({ type: WebhookChannelView }) webhook!: WebhookChannelView;
  @ApiProperty({ type: TelegramChannelView }) telegram!: TelegramChannelView;
}

export class UpdateEmailChannelDto {
  @ApiPropertyOptional({ description: 'false silences email without forgetting its settings' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'smtp://user:pass@mail.example.com:587',
    description: 'null: back to SMTP_URL',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'smtpUrl must start with smtp:// or smtps://' })
  @MaxLength(1000)
  @CleanText()
  smtpUrl?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'PolyMaker <bot@example.com>',
    description: 'null: back to NOTIFY_EMAIL_FROM',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, {
    message: 'from must be an address or "Name <address>"',
  })
  @MaxLength(300)
  @CleanText()
  from?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: [String],
    example: ['ops@example.com'],
    description: 'null: back to NOTIFY_EMAIL_TO',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @ArrayMaxSize(50)
  @IsEmail({ require_tld: false }, { each: true, message: 'each recipient must be an email address' })
  to?: string[] | null;
}

export class UpdateWebhookChannelDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://hooks.slack.com/services/T000/B000/XXX',
    description: 'null: back to WEBHOOK_URL',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'url must be an http:// or https:// URL' },
  )
  @MaxLength(2000)
  @CleanText()
  url?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    enum: ['generic', 'discord', 'slack'],
    description: 'null: back to WEBHOOK_FORMAT',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsIn(['generic', 'discord', 'slack'])
  format?: 'generic' | 'discord' | 'slack' | null;
}

export class UpdateTelegramChannelDto {
  @ApiPropertyOptional({ description: 'false silences Telegram without forgetting its settings' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123',
    description: 'From BotFather (a secret: never shown again). null: back to TELEGRAM_BOT_TOKEN',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(200)
  @Matches(TELEGRAM_TOKEN_PATTERN, {
    message:
      'botToken must be a bot token as BotFather gives it: digits, a colon, then 30 or more letters, digits, - or _',
  })
  botToken?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '-1001234567890',
    description:
      'A numeric chat id (groups and channels are negative) or @channelusername. null: back to TELEGRAM_CHAT_ID',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(40)
  @Matches(TELEGRAM_CHAT_ID_PATTERN, {
    message:
      'chatId must be a numeric chat id such as -1001234567890 or a @channelusername (5 to 32 letters, digits or _)',
  })
  chatId?: string | null;
}

export class ChannelTestView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ enum: ['email', 'webhook', 'telegram'] }) channel!: string;
  @ApiProperty({ nullable: true, type: String }) target!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) detail!: Record<string, unknown>;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'SMTP smtp://mail:25/: connect ECONNREFUSED 127.0.0.1:25',
  })
  error!: string | null;
}
