import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto, QueryDate, QueryId } from '@polymaker/api/core';
import { IsIn, IsOptional } from 'class-validator';
import { RUN_STATUSES } from '../entities/run.entity';

export class RunView {
  @ApiProperty({ example: 12 })
  id!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The API key (bot) that started the run' })
  apiKeyId!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'The bot that owns the run: the first key of its key rotation chain (see botId of the API keys)',
  })
  botId!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 3 })
  configId!: number | null;
  @ApiProperty({ enum: ['dry_run', 'live'] })
  mode!: string;
  @ApiProperty({ enum: RUN_STATUSES })
  status!: string;
  @ApiProperty({ nullable: true, type: String, example: '500' })
  startingBankroll!: string | null;
  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
  @ApiProperty({ format: 'date-time' })
  lastUpdateAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  stoppedAt!: string | null;
  @ApiProperty({ nullable: true, type: String })
  errorMessage!: string | null;
  @ApiProperty({ example: 3600 })
  durationSeconds!: number;
  @ApiProperty({ nullable: true, type: String, example: '12.5' })
  totalPnl!: string | null;
  @ApiProperty({ nullable: true, type: Number })
  totalFills!: number | null;
  @ApiProperty({ nullable: true, type: Number })
  totalOrders!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'overallScore of the analysis, 0-100' })
  overallScore!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Latest value of each contract metric key',
  })
  metrics!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Latest value of each unknown key, as sent',
  })
  extra!: Record<string, unknown>;
}

export class RunDetailView extends RunView {
  @ApiProperty({ example: 250 })
  tradeCount!: number;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description:
      "The analysis in the run/stop answer (score from the run's aggregates, state pending then); the completed one is in GET /api/v1/runs/{id}/analyses",
  })
  analysis!: Record<string, unknown> | null;
}

export class RunListView {
  @ApiProperty({ type: [RunView] })
  items!: RunView[];
  @ApiProperty({ example: 1 })
  total!: number;
}

export class RunQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: ['dry_run', 'live'] })
  @IsOptional()
  @IsIn(['dry_run', 'live'])
  mode?: string;

  @ApiPropertyOptional({ description: 'Config version' })
  @IsOptional()
  @QueryId()
  configId?: number;

  @ApiPropertyOptional({ description: 'API key (bot) that started the run' })
  @IsOptional()
  @QueryId()
  apiKeyId?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Runs started at or after this time (ISO 8601; UTC when no offset)',
  })
  @IsOptional()
  @QueryDate()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Runs started before this time (ISO 8601; UTC when no offset)',
  })
  @IsOptional()
  @QueryDate()
  to?: string;

  @ApiPropertyOptional({
    description: 'Bot that owns the run (botId of its API keys; kept across key rotations)',
  })
  @IsOptional()
  @QueryId()
  botId?: number;
}
