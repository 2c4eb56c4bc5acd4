import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '@polymaker/api/core';
import { CleanText } from '@polymaker/api/core';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export class ApiKeyView {
  @ApiProperty({ example: 3 })
  id!: number;
  @ApiProperty({
    description:
      'The bot this key speaks for: the id of the first key it was rotated from (its own id when never rotated)',
    example: 3,
  })
  botId!: number;
  @ApiProperty({ example: 'trading box 1' })
  name!: string;
  @ApiProperty({ enum: [...API_KEY_SCOPES], example: 'bot' })
  scope!: ApiKeyScope;
  @ApiProperty({ description: 'The first characters of the key, to recognise it', example: 'pmk_bot_7Hq2' })
  prefix!: string;
  @ApiProperty({ enum: ['generated', 'chosen', 'env'], example: 'generated' })
  source!: 'generated' | 'chosen' | 'env';
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revokedAt!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'A rotated key stops working at this time',
  })
  expiresAt!: string | null;
  @ApiProperty({ description: 'Whether the key works now', example: true })
  active!: boolean;
}

export class ApiKeyListView {
  @ApiProperty({ type: [ApiKeyView] })
  items!: ApiKeyView[];
}

export class CreatedApiKeyView {
  @ApiProperty({ type: ApiKeyView })
  apiKey!: ApiKeyView;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The key itself. It is shown this once and cannot be read again: a replay of the request (same Idempotency-Key) answers null here, with a note.',
    example: 'pmk_bot_7Hq2v9...',
  })
  secret!: string | null;
  @ApiPropertyOptional({
    description: 'Only on a replay: says the secret was shown once, in the first answer, and is not stored',
  })
  note?: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'trading box 1', description: 'A name to recognise the key by' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @CleanText()
  name!: string;

  @ApiProperty({
    enum: [...API_KEY_SCOPES],
    description:
      'bot: only /api/bot/*; viewer: reads the admin API; operator: also pauses/resumes, activates, rolls back, applies suggestions; admin: everything (keys, channels, settings)',
  })
  @IsIn([...API_KEY_SCOPES], { message: `scope must be one of ${API_KEY_SCOPES.join(', ')}` })
  scope!: ApiKeyScope;

  @ApiPropertyOptional({
    description:
      "A chosen value (for example the POLYMAKER_API_KEY already in a bot's .env); 16 to 256 characters, no spaces. Omit to generate one.",
    example: 'my-bot-key-from-dotenv-123',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\S{16,256}$/, { message: 'value must be 16 to 256 characters with no spaces' })
  @CleanText()
  value?: string;
}

export class RotateApiKeyDto {
  @ApiPropertyOptional({ description: 'A chosen value for the new key; omit to generate one' })
  @IsOptional()
  @IsString()
  @Matches(/^\S{16,256}$/, { message: 'value must be 16 to 256 characters with no spaces' })
  @CleanText()
  value?: string;

  @ApiPropertyOptional({
    description:
      'Minutes the old key keeps working, so bots can be switched over; 0 (default) revokes it at once',
    example: 0,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60)
  graceMinutes?: number;
}

export class MeView {
  @ApiProperty({ example: 3 })
  apiKeyId!: number;
  @ApiProperty({ example: 'ops laptop' })
  name!: string;
  @ApiProperty({ enum: [...API_KEY_SCOPES], example: 'operator' })
  scope!: ApiKeyScope;
  @ApiProperty({
    type: [String],
    description:
      'What this key may do: read, audit.read, configs.create, configs.activate, configs.rollback, configs.pause, suggestions.apply, analyses.run, notifications.mark-read, jobs.run, keys.manage, channels.manage, settings.manage',
    example: ['read', 'audit.read', 'configs.activate'],
  })
  permissions!: string[];
}
