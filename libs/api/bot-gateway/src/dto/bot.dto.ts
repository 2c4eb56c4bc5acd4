import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * These classes document the wire contract in OpenAPI. The gateway validates bodies itself
 * (PayloadReader) because it must keep unknown keys, accept numeric strings and upper-case sides.
 */

const decimal = (description: string, example: number | string) => ({
  oneOf: [{ type: 'number' }, { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' }],
  description: `${description} (a JSON number or a numeric string)`,
  example,
});

export class BotStartRunDto {
  @ApiPropertyOptional({
    description: 'The id from GET /api/bot/config',
    example: 1,
    nullable: true,
    type: Number,
  })
  configId?: number | null;
  @ApiProperty({
    enum: ['dry_run', 'live', 'paper'],
    description: '"paper" is stored as dry_run',
    example: 'dry_run',
  })
  mode!: string;
  @ApiPropertyOptional(decimal('Bankroll at start, USDC', 500))
  startingBankroll?: number | string;
}

export class BotRunStartedView {
  @ApiProperty({ example: 1 })
  runId!: number;
  @ApiProperty({ example: 'running' })
  status!: string;
  @ApiProperty({ nullable: true, type: Number, example: 1 })
  configId!: number | null;
  @ApiProperty({ example: 'dry_run' })
  mode!: string;
  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
}

const METRICS_DESCRIPTION =
  'Any of totalCycles, totalOrders, totalFills, totalPnl, peakPnl, maxDrawdown, winCount, lossCount, avgSpreadCaptured, ' +
  'avgFillRate, endingBankroll, maxCapitalDeployed, walletBalance, startingWallet, mergesCompleted, totalMergedUsd, ' +
  'claimsCompleted, totalClaimedUsd, claimsPending, positionValue, hedgeAnalytics (object), realizedPnl, pairedWindows, ' +
  'oneSidedFills; values may be null. Any other key is kept as sent.';

export class BotUpdateRunDto {
  @ApiProperty({ example: 1 })
  runId!: number;
  @ApiPropertyOptional({ ...decimal('Run P&L so far, USDC', 0.48), description: METRICS_DESCRIPTION })
  totalPnl?: number | string | null;
  @ApiPropertyOptional({ example: 1 })
  totalFills?: number | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { pairs: 1, orphans: 0 } })
  hedgeAnalytics?: Record<string, unknown> | null;
}

export class BotStopRunDto extends BotUpdateRunDto {
  @ApiProperty({ enum: ['completed', 'stopped', 'error'] })
  status!: string;
  @ApiPropertyOptional({ description: 'Why the run ended, with status "error"' })
  errorMessage?: string;
}

export class BotOkView {
  @ApiProperty({ example: true })
  ok!: boolean;
  @ApiPropertyOptional({ example: 1 })
  runId?: number;
  @ApiPropertyOptional({ example: 'running' })
  status?: string;
}

export class BotRunStoppedView {
  @ApiProperty({ example: true })
  ok!: boolean;
  @ApiProperty({ example: 1 })
  runId!: number;
  @ApiProperty({ example: 'completed' })
  status!: string;
  @ApiProperty({ format: 'date-time' })
  stoppedAt!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The run analysis; the bot logs analysis.overallScore (0-100). A repeated stop returns the same body.',
    example: { overallScore: 72, scores: { profitability: { score: 80 } }, notes: [] },
  })
  analysis!: Record<string, unknown>;
}

export class BotTradeDto {
  @ApiProperty({ example: 1 })
  runId!: number;
  @ApiProperty({ example: 1 })
  cycle!: number;
  @ApiProperty({
    example: 'BTC',
    description: 'UNKNOWN is accepted when the bot could not classify the market',
  })
  asset!: string;
  @ApiProperty({ example: '15m' })
  windowDuration!: string;
  @ApiProperty({ enum: ['buy', 'sell', 'BUY', 'SELL'] })
  side!: string;
  @ApiProperty({ example: 'Up' })
  outcome!: string;
  @ApiProperty(decimal('Price, 0 to 1', 0.52))
  price!: number | string;
  @ApiProperty(decimal('Shares, greater than 0', 10))
  size!: number | string;
  @ApiPropertyOptional({ example: 'MM' })
  strategy?: string;
  @ApiPropertyOptional({ example: '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1' })
  conditionId?: string;
  @ApiPropertyOptional({
    example: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
  })
  tokenId?: string;
}

export class BotTradeLoggedView {
  @ApiProperty({ example: 1 })
  tradeId!: number;
  @ApiProperty({ example: 1 })
  runId!: number;
  @ApiProperty({ example: 'placed' })
  status!: string;
}

export class BotTradeUpdateDto {
  @ApiProperty({ example: 1 })
  tradeId!: number;
  @ApiPropertyOptional({ enum: ['placed', 'filled', 'cancelled', 'failed'] })
  status?: string;
  @ApiPropertyOptional(decimal('Fill price, 0 to 1', 0.52))
  fillPrice?: number | string;
  @ApiPropertyOptional(decimal('Filled shares', 10))
  fillSize?: number | string;
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-24T07:16:50.905897+00:00' })
  fillTimestamp?: string;
  @ApiPropertyOptional({ example: 'Up' })
  resolvedOutcome?: string;
  @ApiPropertyOptional(decimal('Realised P&L of the trade, USDC', 0.48))
  pnl?: number | string;
}

export class BotTradeUpdatedView {
  @ApiProperty({ example: true })
  ok!: boolean;
  @ApiProperty({ example: 1 })
  tradeId!: number;
  @ApiProperty({ example: 'filled' })
  status!: string;
}

export class BotTradeBatchDto {
  @ApiProperty({
    type: [BotTradeDto],
    description: 'One transaction: all stored, or none (the error names the bad item)',
  })
  trades!: BotTradeDto[];
}

export class BotTradeBatchView {
  @ApiProperty({ type: [Number], example: [4, 5], description: 'In input order' })
  tradeIds!: number[];
  @ApiProperty({ example: 2 })
  count!: number;
}

export class BotMarketDto {
  @ApiProperty({ example: '111', description: 'CLOB token id of the Up outcome' })
  tokenId!: string;
  @ApiPropertyOptional({ example: '222' })
  tokenIdDown?: string;
  @ApiProperty({ example: 'BTC' })
  asset!: string;
  @ApiProperty({ example: '15m' })
  window!: string;
  @ApiPropertyOptional({ example: 'btc-updown-15m-1764000000' })
  windowId?: string;
  @ApiPropertyOptional({ example: '0xabc' })
  conditionId?: string;
  @ApiPropertyOptional({ description: 'ISO time or unix timestamp in seconds', example: '1764000900' })
  expiresAt?: string;
}

export class BotMarketsReportDto {
  @ApiProperty({ type: [BotMarketDto] })
  markets!: BotMarketDto[];
}

export class BotMarketsReportedView {
  @ApiProperty({ example: true })
  ok!: boolean;
  @ApiProperty({ example: 1 })
  received!: number;
  @ApiProperty({ example: 1 })
  upserted!: number;
}

export class BotStatusView {
  @ApiProperty({ example: true })
  ok!: boolean;
  @ApiProperty({ example: 'polymaker-command-center' })
  service!: string;
  @ApiProperty({ example: '0.1.0' })
  version!: string;
  @ApiProperty({ format: 'date-time' })
  time!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { valid: true, name: 'bot 1', scope: 'bot' },
  })
  apiKey!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    example: { id: 1, version: 1, pauseOrders: false },
  })
  activeConfig!: Record<string, unknown> | null;
  @ApiProperty({
    example: 1,
    description: "The calling bot's runs still running (an admin key: every bot's)",
  })
  openRuns!: number;
}
