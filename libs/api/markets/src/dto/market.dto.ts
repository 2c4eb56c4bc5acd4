import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CleanText, QueryId, QueryText, QueryWholeNumber } from '@polymaker/api/core';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export const MARKET_PAGE_DEFAULT = 200;
export const MARKET_PAGE_MAX = 1000;
export const MARKET_SEARCH_MAX = 100;

export class MarketView {
  @ApiProperty({
    description: 'Id of the first report of this market (by any bot, or by the bot filtered on)',
  })
  id!: number;
  @ApiProperty({ example: 'BTC' })
  asset!: string;
  @ApiProperty({ example: '15m' })
  window!: string;
  @ApiProperty({ nullable: true, type: String, example: 'btc-updown-15m-1764000000' })
  windowId!: string | null;
  @ApiProperty({
    description: 'CLOB token id of the Up outcome',
    example: '7132104567925221259462638553270691275033',
  })
  tokenId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'CLOB token id of the Down outcome' })
  tokenIdDown!: string | null;
  @ApiProperty({ nullable: true, type: String })
  conditionId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds until expiry (negative: expired)' })
  secondsToExpiry!: number | null;
  @ApiProperty({ format: 'date-time', description: 'First report of this market by any of its bots' })
  firstReportedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Latest report of this market by any of its bots' })
  lastReportedAt!: string;
  @ApiProperty({ description: 'Reports of this market, summed over its bots' })
  reportCount!: number;
  @ApiProperty({ description: 'How many bots report this market', example: 1 })
  botCount!: number;
  @ApiProperty({
    type: [Number],
    description: 'The bots (botId of their API keys) that report this market',
    example: [2],
  })
  botIds!: number[];
  @ApiProperty({
    description: 'Trades logged on either token of this market (by the bot filtered on, if any)',
  })
  tradeCount!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastTradeAt!: string | null;
}

export class MarketListView {
  @ApiProperty({ type: [MarketView] })
  items!: MarketView[];
  @ApiProperty({
    type: [String],
    example: ['BTC', 'ETH'],
    description:
      "The assets of the markets this filter shows without its asset and search (sorted, at most 100): the asset filter's choices",
  })
  assets!: string[];
  @ApiProperty({ description: 'Markets matching the filter, over all pages', example: 1 })
  total!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class MarketQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Also list expired markets (expiresAt in the past), after the live ones, most recently expired first',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'includeExpired must be true or false (given once)' })
  includeExpired?: 'true' | 'false';

  @ApiPropertyOptional({
    description: "Only this bot's reports (botId of its API keys), with the values as that bot reported them",
  })
  @IsOptional()
  @QueryId()
  botId?: number;

  @ApiPropertyOptional({ example: 'BTC', maxLength: 40, description: 'Only markets of this asset (exact)' })
  @IsOptional()
  @QueryText(40)
  asset?: string;

  @ApiPropertyOptional({
    example: 'btc-updown-15m',
    maxLength: MARKET_SEARCH_MAX,
    description:
      'Markets whose asset or slug (windowId) contains this text, case-insensitive (% and _ are plain characters)',
  })
  @IsOptional()
  @QueryText(MARKET_SEARCH_MAX)
  search?: string;

  @ApiPropertyOptional({ default: MARKET_PAGE_DEFAULT, minimum: 1, maximum: MARKET_PAGE_MAX })
  @IsOptional()
  @QueryWholeNumber(1, MARKET_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same filter)' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  @CleanText()
  cursor?: string;
}
