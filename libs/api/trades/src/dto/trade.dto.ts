import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueryDate, QueryId, QueryText, QueryWholeNumber } from '@polymaker/api/core';
import { IsIn, IsOptional } from 'class-validator';
import { TRADE_STATUSES } from '../entities/trade.entity';
import { IsTradeCursor, TRADE_SORTS, TradeSort } from '../trade-cursor';

export class TradeView {
  @ApiProperty({ example: 1 })
  id!: number;
  @ApiProperty({ example: 1 })
  runId!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 2,
    description:
      "The bot that owns the trade's run (botId of its API keys, as GET /api/v1/bots lists it); null for a run without a bot",
  })
  botId!: number | null;
  @ApiProperty({ example: 1 })
  cycle!: number;
  @ApiProperty({ example: 'BTC' })
  asset!: string;
  @ApiProperty({ example: '15m' })
  windowDuration!: string;
  @ApiProperty({ enum: ['buy', 'sell'] })
  side!: string;
  @ApiProperty({ example: 'Up' })
  outcome!: string;
  @ApiProperty({ example: '0.52', description: 'Decimal string' })
  price!: string;
  @ApiProperty({ example: '10', description: 'Decimal string (shares)' })
  size!: string;
  @ApiProperty({ nullable: true, type: String, example: 'MM' })
  strategy!: string | null;
  @ApiProperty({ nullable: true, type: String })
  conditionId!: string | null;
  @ApiProperty({ nullable: true, type: String })
  tokenId!: string | null;
  @ApiProperty({ enum: TRADE_STATUSES })
  status!: string;
  @ApiProperty({ nullable: true, type: String, example: '0.52' })
  fillPrice!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '10' })
  fillSize!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  fillTimestamp!: string | null;
  @ApiProperty({ nullable: true, type: String })
  resolvedOutcome!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '0.48' })
  pnl!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Fields this server does not know, as sent',
  })
  extra!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class TradePageView {
  @ApiProperty({ type: [TradeView] })
  items!: TradeView[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class TradeQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @QueryId()
  runId?: number;

  @ApiPropertyOptional({
    description: "Only this bot's trades (botId of its API keys, as GET /api/v1/bots lists it)",
  })
  @IsOptional()
  @QueryId()
  botId?: number;

  @ApiPropertyOptional({ example: 'BTC', maxLength: 40 })
  @IsOptional()
  @QueryText(40)
  asset?: string;

  @ApiPropertyOptional({ example: '15m', description: 'Window duration', maxLength: 20 })
  @IsOptional()
  @QueryText(20)
  window?: string;

  @ApiPropertyOptional({ enum: ['buy', 'sell'] })
  @IsOptional()
  @IsIn(['buy', 'sell'])
  side?: string;

  @ApiPropertyOptional({ example: 'Up', maxLength: 100 })
  @IsOptional()
  @QueryText(100)
  outcome?: string;

  @ApiPropertyOptional({ enum: TRADE_STATUSES })
  @IsOptional()
  @IsIn(TRADE_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: 'MM', maxLength: 100 })
  @IsOptional()
  @QueryText(100)
  strategy?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Trades logged at or after this time (ISO 8601; UTC when no offset)',
  })
  @IsOptional()
  @QueryDate()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Trades logged before this time (ISO 8601; UTC when no offset)',
  })
  @IsOptional()
  @QueryDate()
  to?: string;

  @ApiPropertyOptional({
    enum: TRADE_SORTS,
    default: 'id',
    description: 'id is the order trades were logged in',
  })
  @IsOptional()
  @IsIn(TRADE_SORTS)
  sort?: TradeSort;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @QueryWholeNumber(1, 1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page, with the same sort', maxLength: 200 })
  @IsOptional()
  @IsTradeCursor()
  cursor?: string;
}

export class TradeFacetsView {
  @ApiProperty({
    type: [String],
    example: ['BTC', 'ETH'],
    description: 'Assets traded, sorted (at most 100)',
  })
  assets!: string[];
  @ApiProperty({
    type: [String],
    example: ['15m', '5m'],
    description: 'Window durations traded, sorted (at most 100)',
  })
  windows!: string[];
  @ApiProperty({
    type: [String],
    example: ['MM'],
    description: 'Strategies of the latest 10,000 trades, sorted (at most 100)',
  })
  strategies!: string[];
  @ApiProperty({ description: 'true when a list was cut at 100 values' })
  truncated!: boolean;
}
