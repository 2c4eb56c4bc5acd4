import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConfigVersionView } from '@polymaker/api/config';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import {
  CleanText,
  MAX_ID,
  PageQueryDto,
  parseWholeNumber,
  QueryDate,
  QueryId,
  QueryWholeNumber,
} from '@polymaker/api/core';

const CONFIG_VALUE = {
  nullable: true,
  oneOf: [
    { type: 'number' },
    { type: 'string' },
    { type: 'boolean' },
    { type: 'array', items: { type: 'string' } },
    { type: 'array', items: { type: 'array', items: { type: 'number' } } },
  ],
};

export class SubScoreView {
  @ApiProperty({ example: 64.2, description: '0–100' })
  score!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { maxDrawdown: '12', bankroll: '500', maxLossPct: 0.2, lossLimit: 100, limitUsed: 0.12 },
  })
  inputs!: Record<string, number | string | null>;
  @ApiProperty({
    example:
      "100 * max(0, 1 - maxDrawdown / lossLimit), lossLimit = maxLossPct * bankroll (maxLossPct from the run's config, 0.2 when unset): a drawdown reaching the loss limit scores 0",
  })
  formula!: string;
  @ApiPropertyOptional({
    example: 'Risk',
    description: 'Its name on the page (engine 3 on; absent in older analyses)',
  })
  label?: string;
  @ApiPropertyOptional({
    example:
      'staying far from the loss limit: the deepest fall from a peak, as a share of what maxLossPct allows',
    description: 'What it rewards, in plain words (engine 3 on)',
  })
  rewards?: string;
}

const SUB = (description: string) => ({ type: SubScoreView, nullable: true, description });
const LEGACY = (description: string) => ({
  type: SubScoreView,
  nullable: true,
  required: false,
  description: `${description} Engine 2 and before only (kept as stored).`,
});

/**
 * Engine 3 (engineVersion 3) has spreadCapture, inventory, hedging, risk and capitalReturn; analyses
 * stored by engine 2 and before keep profitability, execution, risk and efficiency as they were.
 */
export class SubScoresView {
  @ApiPropertyOptional(
    SUB(
      "Spread captured per fill net of adverse selection (markouts against the bot's next fill in the window). Engine 3.",
    ),
  )
  spreadCapture?: SubScoreView | null;
  @ApiPropertyOptional(SUB('Share of the filled shares still one-sided when the windows resolved. Engine 3.'))
  inventory?: SubScoreView | null;
  @ApiPropertyOptional(SUB('Pair cost above 1.00 of the windows completed with hedges. Engine 3.'))
  hedging?: SubScoreView | null;
  @ApiProperty(
    SUB(
      'Engine 3: max drawdown against the loss limit (maxLossPct × bankroll); engine 2: 100 − 10 × drawdown % of bankroll.',
    ),
  )
  risk!: SubScoreView | null;
  @ApiPropertyOptional(SUB('P&L per hour per dollar of capital deployed. Engine 3.'))
  capitalReturn?: SubScoreView | null;
  @ApiPropertyOptional(LEGACY('Return on bankroll.'))
  profitability?: SubScoreView | null;
  @ApiPropertyOptional(LEGACY('Fill rate (it rewarded being filled, i.e. picked off).'))
  execution?: SubScoreView | null;
  @ApiPropertyOptional(LEGACY('P&L per dollar of peak capital.'))
  efficiency?: SubScoreView | null;
}

export class AnalysisSummaryView {
  @ApiProperty({ example: '12.5' }) totalPnl!: string;
  @ApiProperty({ nullable: true, type: String, example: '10.25' }) realizedPnl!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.42 }) fillRate!: number | null;
  @ApiProperty({ example: 300 }) trades!: number;
  @ApiProperty({ example: 126 }) fills!: number;
  @ApiProperty({ example: 70 }) winCount!: number;
  @ApiProperty({ example: 56 }) lossCount!: number;
  @ApiProperty({ nullable: true, type: String, example: '4.2' }) maxDrawdown!: string | null;
  @ApiProperty({ example: 3600 }) durationSeconds!: number;
  @ApiProperty({ nullable: true, type: String, example: '0.021' }) avgSpreadCaptured!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.05,
    description: 'P&L per dollar of peak capital deployed',
  })
  capitalEfficiency!: number | null;
  @ApiProperty({ nullable: true, type: String, example: '250' }) peakCapitalDeployed!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.2,
    description: 'oneSidedFills / (pairedWindows + oneSidedFills)',
  })
  oneSidedFillRatio!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 0.8,
    description: 'pairedWindows / (pairedWindows + oneSidedFills)',
  })
  pairingQuality!: number | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) hedgeAnalytics!: Record<
    string,
    unknown
  > | null;
}

export class BreakdownRowView {
  @ApiProperty({ example: 'BTC' }) key!: string;
  @ApiProperty({ example: 40 }) trades!: number;
  @ApiProperty({ example: 18 }) fills!: number;
  @ApiProperty({ example: '3.25' }) pnl!: string;
}

export class BreakdownsView {
  @ApiProperty({ type: [BreakdownRowView] }) asset!: BreakdownRowView[];
  @ApiProperty({ type: [BreakdownRowView] }) window!: BreakdownRowView[];
  @ApiProperty({ type: [BreakdownRowView] }) outcome!: BreakdownRowView[];
  @ApiProperty({ type: [BreakdownRowView] }) strategy!: BreakdownRowView[];
  @ApiProperty({ type: [BreakdownRowView], description: 'By UTC hour of placement ("00"–"23")' })
  hour!: BreakdownRowView[];
}

export class SuggestionView {
  @ApiProperty({ example: 's1', description: 'Pass to POST /api/v1/analyses/{id}/apply' }) id!: string;
  @ApiProperty({ example: 'mmSpreadMin', description: 'A key of the config schema' }) key!: string;
  @ApiProperty({ ...CONFIG_VALUE, example: 0.04 }) current!: unknown;
  @ApiProperty({ description: 'true: not set in the config; read from what the run did' })
  currentObserved!: boolean;
  @ApiProperty({ ...CONFIG_VALUE, example: 0.032, description: "Within the schema's bounds" })
  suggested!: unknown;
  @ApiProperty({ example: 'Fill rate was 12.0% (24 fills of 200 orders): ...' }) rationale!: string;
  @ApiProperty({ example: 0.62, minimum: 0, maximum: 1 }) confidence!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { fillRate: 0.12, fills: 24, orders: 200 },
  })
  evidence!: Record<string, unknown>;
}

export class EffectView {
  @ApiProperty({
    enum: ['asset', 'hour', 'strategy', 'run'],
    description: "run: the run's mean P&L per trade against 0",
  })
  dimension!: string;
  @ApiProperty({ example: 'ETH', description: "The asset, UTC hour or strategy ('' for the run)" })
  key!: string;
  @ApiProperty({ example: 120, description: 'Resolved trades in the group' }) trades!: number;
  @ApiProperty({
    example: -0.042,
    description: 'Mean P&L per trade in the group (USDC; a statistic, not a money sum)',
  })
  mean!: number;
  @ApiProperty({ example: 0.011 }) restMean!: number;
  @ApiProperty({ example: -0.053, description: 'mean − restMean (the mean itself for the run)' })
  effect!: number;
  @ApiProperty({ example: 0.012, description: 'Bootstrap standard error of the effect' })
  standardError!: number;
  @ApiProperty({ example: -0.077, description: '95 % percentile interval, before the family correction' })
  low!: number;
  @ApiProperty({ example: -0.03 }) high!: number;
  @ApiProperty({
    example: 0.0021,
    description: 'Two-sided p-value, Holm-adjusted over every group tested in the run',
  })
  p!: number;
  @ApiProperty({ description: 'Distinguishable from noise at 95 % family-wise' }) significant!: boolean;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'About how many more of its trades would make an effect this size significant',
  })
  moreTradesNeeded!: number | null;
}

export class NotYetView {
  @ApiProperty({ example: 'targetAssets' }) key!: string;
  @ApiProperty({
    example: 'asset ETH: -0.0300 USDC per trade over 40 trades …: about 120 more of its trades needed.',
  })
  message!: string;
  @ApiProperty({ example: 120 }) moreTradesNeeded!: number;
}

export class SuggestionSetView {
  @ApiProperty({
    enum: ['ok', 'thin-data', 'nothing-to-change', 'pending'],
    description: 'pending: the full analysis has not run yet',
  })
  status!: string;
  @ApiProperty({
    example: 'Data too thin to suggest changes: 3 fills over 2 min (need at least 20 fills and 10 min).',
  })
  message!: string;
  @ApiProperty({ type: [SuggestionView] }) items!: SuggestionView[];
  @ApiPropertyOptional({ description: 'How effects were tested (bootstrap, level, correction)' })
  method?: string;
  @ApiPropertyOptional({
    type: [EffectView],
    description: 'Every group tested; later runs of the same version weigh their suggestions with them',
  })
  effects?: EffectView[];
  @ApiPropertyOptional({
    type: [NotYetView],
    description: 'Changes the run points to without enough evidence yet',
  })
  notYet?: NotYetView[];
  @ApiPropertyOptional({
    type: [String],
    description: 'Suggestions withheld because more earlier runs of the same version saw the opposite',
  })
  contradicted?: string[];
}

export class AnalysisView {
  @ApiProperty({ example: 7 }) analysisId!: number;
  @ApiProperty({ example: 42 }) runId!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 2,
    description:
      'The bot of the analysed run (botId of its API keys, as GET /api/v1/bots lists it); null for a run without a bot',
  })
  botId!: number | null;
  @ApiProperty({ enum: ['stop', 'stale', 'on-demand'] }) trigger!: string;
  @ApiProperty({ example: 'completed', description: 'The run status when analysed' }) runStatus!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 3,
    description: 'The config version the suggestions start from',
  })
  configId!: number | null;
  @ApiProperty({ example: 63, minimum: 0, maximum: 100 }) overallScore!: number;
  @ApiProperty({ type: SubScoresView }) scores!: SubScoresView;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { spreadCapture: 0.3, inventory: 0.2, hedging: 0.1, risk: 0.2, capitalReturn: 0.2 },
  })
  weights!: Record<string, number>;
  @ApiProperty({
    example:
      'round(sum(weight * score) / sum(weight)) over the sub-scores that could be computed; weights spreadCapture 0.3, inventory 0.2, hedging 0.1, risk 0.2, capitalReturn 0.2',
  })
  formula!: string;
  @ApiProperty({ enum: ['ok', 'thin'] }) dataQuality!: string;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiProperty({ type: AnalysisSummaryView }) summary!: AnalysisSummaryView;
  @ApiProperty({ type: BreakdownsView }) breakdowns!: BreakdownsView;
  @ApiProperty({ type: SuggestionSetView }) suggestions!: SuggestionSetView;
  @ApiProperty({ type: [Number], description: 'Config versions created from these suggestions' })
  appliedConfigIds!: number[];
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) analyzedAt!: string;
  @ApiProperty({
    example: 3,
    description: '3: the market-making scores; 2 and before: profitability, execution, risk, efficiency',
  })
  engineVersion!: number;
  @ApiProperty({
    enum: ['pending', 'complete', 'failed'],
    description:
      "pending: run/stop's score from the run's aggregates, breakdowns and suggestions to come; complete: the full analysis; failed: its job gave up (see error)",
  })
  state!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Why the full analysis failed (state failed)' })
  error!: string | null;
}

export class AnalysisListView {
  @ApiProperty({ type: [AnalysisView] }) items!: AnalysisView[];
  @ApiProperty({ example: 12 }) total!: number;
}

export class AnalysisQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only analyses of this run' })
  @IsOptional()
  @QueryId()
  runId?: number;

  @ApiPropertyOptional({
    description: "Only analyses of this bot's runs (botId of its API keys, as GET /api/v1/bots lists it)",
  })
  @IsOptional()
  @QueryId()
  botId?: number;

  @ApiPropertyOptional({ description: 'Only analyses whose suggestions start from this config version' })
  @IsOptional()
  @QueryId()
  configId?: number;
}

export class ApplySuggestionsDto {
  @ApiPropertyOptional({
    type: [String],
    example: ['s1', 's3'],
    description: 'Suggestions to apply; all of them when left out',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^s\d{1,3}$/, { each: true, message: 'each suggestion id looks like s1, s2, ...' })
  suggestionIds?: string[];

  @ApiPropertyOptional({
    example: 'Tighter spreads after run 42',
    description: 'Note on the new config version',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @CleanText()
  note?: string;
}

export class AppliedSuggestionsView {
  @ApiProperty({ example: 7 }) analysisId!: number;
  @ApiProperty({ type: [SuggestionView] }) applied!: SuggestionView[];
  @ApiProperty({
    type: ConfigVersionView,
    description: 'The new version (source "suggestion"), not active until activated',
  })
  config!: ConfigVersionView;
}

export class CompareQueryDto {
  @ApiPropertyOptional({ example: '3,4', description: 'Comma-separated config versions (default: all)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.length <= 1000
      ? value.split(',').map((v) => parseWholeNumber(v.trim(), 1, MAX_ID) ?? Number.NaN)
      : value,
  )
  @IsArray()
  @ArrayMaxSize(50)
  @IsInt({ each: true, message: 'configIds must be comma-separated config versions (whole numbers from 1)' })
  @Min(1, { each: true, message: 'configIds must be comma-separated config versions (whole numbers from 1)' })
  configIds?: number[];

  @ApiPropertyOptional({ description: "Only this bot's runs (botId of its API keys)" })
  @IsOptional()
  @QueryId()
  botId?: number;

  @ApiPropertyOptional({
    example: 20,
    minimum: 1,
    maximum: 200,
    description: 'Most recent runs listed per version',
  })
  @IsOptional()
  @QueryWholeNumber(1, 200)
  runsPerConfig?: number;
}

export class ComparisonRunView {
  @ApiProperty({ example: 42 }) runId!: number;
  @ApiProperty({ example: 'completed' }) status!: string;
  @ApiProperty({ example: 'dry_run' }) mode!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) stoppedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 63 }) overallScore!: number | null;
  @ApiProperty({ nullable: true, type: String, example: '12.5' }) totalPnl!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 126 }) fills!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.42 }) fillRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 7 }) analysisId!: number | null;
}

export class ComparisonGroupView {
  @ApiProperty({ nullable: true, type: Number, example: 3 }) configId!: number | null;
  @ApiProperty({ nullable: true, type: String }) configNote!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'suggestion' }) configSource!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 2 }) basedOnId!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 7,
    description: 'The analysis whose suggestions made this version',
  })
  fromAnalysisId!: number | null;
  @ApiProperty({ example: 4 }) runCount!: number;
  @ApiProperty({ nullable: true, type: Number, example: 61.5 }) avgScore!: number | null;
  @ApiProperty({ example: '40.25', description: 'Exact sum over the runs' }) totalPnl!: string;
  @ApiProperty({ nullable: true, type: String, example: '10.0625' }) avgPnl!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.4 }) avgFillRate!: number | null;
  @ApiProperty({ type: [ComparisonRunView] }) runs!: ComparisonRunView[];
}

export class ComparisonView {
  @ApiProperty({
    type: [ComparisonGroupView],
    description:
      'Finished runs grouped by the config version each started with (whole runs; see GET /api/v1/analyses/versions for time under each version), newest version first',
  })
  groups!: ComparisonGroupView[];
}

export class VersionTimeQueryDto {
  @ApiPropertyOptional({
    description: "Only this bot's runs (botId of its API keys, as GET /api/v1/bots lists it)",
  })
  @IsOptional()
  @QueryId()
  botId?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-01T00:00:00Z',
    description: 'Start of the range (ISO 8601; UTC when no offset); default: 30 days before `to`',
  })
  @IsOptional()
  @QueryDate()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-01T00:00:00Z',
    description: 'End of the range, excluded; default: now. At most 400 days after `from`',
  })
  @IsOptional()
  @QueryDate()
  to?: string;
}

export class VersionTimeRowView {
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 5,
    description: 'The config version (null: runs that named none, of bots served none)',
  })
  configId!: number | null;
  @ApiProperty({ nullable: true, type: String }) configNote!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'suggestion' }) configSource!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 4 }) basedOnId!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 7,
    description: 'The analysis whose suggestions made this version',
  })
  fromAnalysisId!: number | null;
  @ApiProperty({
    example: 12.5,
    description: 'Hours the runs spent under this version, not paused (within the range), to 4 places',
  })
  hours!: number;
  @ApiProperty({
    example: 0.25,
    description: 'Hours under this version while paused (pauseOrders served): not in `hours`',
  })
  pausedHours!: number;
  @ApiProperty({ example: 3, description: 'Runs with time under this version' }) runs!: number;
  @ApiProperty({ type: [Number], description: 'Those runs, newest first (at most 20)' }) runIds!: number[];
  @ApiProperty({ example: 4, description: 'Stretches of one run under this version and one pause state' })
  segments!: number;
  @ApiProperty({ example: 300, description: 'Trades (orders) logged in its segments' }) orders!: number;
  @ApiProperty({ example: 126 }) fills!: number;
  @ApiProperty({ example: 2 }) failedOrders!: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.42, description: 'fills / orders' }) fillRate!:
    number | null;
  @ApiProperty({
    example: '12.5',
    description: 'Exact sum of the P&L of the trades logged in its segments (realised: resolved trades)',
  })
  realisedPnl!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '1',
    description: 'realisedPnl per unpaused hour, to 8 places; null without unpaused time',
  })
  pnlPerHour!: string | null;
  @ApiProperty({
    example: '13.1',
    description: "The change of the runs' reported totalPnl over its segments (may hold unrealised value)",
  })
  reportedPnl!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '2.5',
    description: 'Largest peak-to-trough fall of reported totalPnl within one of its segments',
  })
  maxDrawdown!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 61.5,
    description: "The run score (0–100) of each unpaused segment's own figures, averaged by time",
  })
  score!: number | null;
}

export class VersionTimeView {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' }) to!: string;
  @ApiProperty({ nullable: true, type: Number }) botId!: number | null;
  @ApiProperty({ example: 12, description: 'Runs that ran during the range (and were counted)' })
  runs!: number;
  @ApiProperty({
    description: 'More runs ran during the range than one answer counts (500): only the newest were counted',
  })
  truncated!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When truncated: the start of the oldest run counted',
  })
  coveredFrom!: string | null;
  @ApiProperty({ type: [VersionTimeRowView], description: 'Newest version first' })
  versions!: VersionTimeRowView[];
}
