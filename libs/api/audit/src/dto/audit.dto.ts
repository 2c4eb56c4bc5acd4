import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AUDIT_ACTION_NAMES } from '../audit-actions';

export class AuditEntryView {
  @ApiProperty({ example: 42 })
  id!: number;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The acting key; null for a change made by the server itself',
    example: 3,
  })
  apiKeyId!: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "The key's name at the time",
    example: 'ops laptop',
  })
  apiKeyName!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['bot', 'viewer', 'operator', 'admin'],
    description: "The key's scope at the time",
  })
  scope!: string | null;
  @ApiProperty({ enum: AUDIT_ACTION_NAMES, example: 'config.activated' })
  action!: string;
  @ApiProperty({ example: 'config', description: 'config, analysis, api-key, channel, wallet, retention' })
  targetType!: string;
  @ApiProperty({ nullable: true, type: String, example: '5' })
  targetId!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'State before the change (secrets redacted)',
  })
  before!: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'State after the change (secrets redacted)',
  })
  after!: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The X-Request-Id of the request that made the change',
  })
  requestId!: string | null;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] })
  items!: AuditEntryView[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}

export class AuditQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ACTION_NAMES, description: 'Only this action' })
  @IsOptional()
  @IsString()
  @IsIn(AUDIT_ACTION_NAMES, { message: `action must be one of ${AUDIT_ACTION_NAMES.join(', ')}` })
  action?: string;

  @ApiPropertyOptional({ description: 'Only changes made with this key' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  apiKeyId?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Changes at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'from must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' },
  )
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Changes before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'to must be an ISO 8601 date-time, e.g. 2026-12-02T00:00:00Z' },
  )
  to?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[1-9][0-9]{0,15}$/, {
    message: 'cursor is not valid: pass the nextCursor of the previous page unchanged',
  })
  cursor?: string;
}
