// The API's shapes, re-exported under the names the admin features use: features never import the generated client.
import type { MarketView as Market } from '@polymaker/shared/api-client';

export type {
  ActivationPreviewView as ServerActivationPreview,
  AuditEntryView as AuditEntry,
  AuditPageView as AuditPage,
  MeView as Me,
  AnalysisListView as AnalysisList,
  AnalysisSummaryView as AnalysisSummary,
  AnalysisView as Analysis,
  AppliedSuggestionsView as AppliedSuggestions,
  BotWalletView as BotWallet,
  BreakdownRowView as BreakdownRow,
  BreakdownsView as Breakdowns,
  ChainReadingView as ChainReading,
  ChannelTestView as ChannelTest,
  ChannelsView as Channels,
  ComparisonGroupView as ComparisonGroup,
  ComparisonRunView as ComparisonRun,
  ComparisonView as Comparison,
  DeliveryListView as DeliveryList,
  DeliveryView as Delivery,
  EmailChannelView as EmailChannel,
  NotificationListView as NotificationList,
  NotificationView as NotificationItem,
  RetentionView as Retention,
  SubScoreView as SubScore,
  SubScoresView as SubScores,
  SuggestionSetView as SuggestionSet,
  SuggestionView as Suggestion,
  TelegramChannelView as TelegramChannel,
  UpdateEmailChannelDto as UpdateEmailChannel,
  UpdateTelegramChannelDto as UpdateTelegramChannel,
  UpdateWebhookChannelDto as UpdateWebhookChannel,
  WalletAlertStateView as WalletAlertState,
  WalletOverviewView as WalletOverview,
  WalletSeriesView as WalletSeries,
  WebhookChannelView as WebhookChannel,
  ApiKeyView as ApiKey,
  CreatedApiKeyView as CreatedApiKey,
  ConfigActivationView as ConfigActivation,
  ConfigDiffEntryView as ConfigDiffEntry,
  ConfigDiffView as ConfigDiff,
  ConfigKeySpecView as ConfigKeySpec,
  ConfigSchemaView as ConfigSchema,
  ConfigValidationView as ConfigValidation,
  ConfigVersionView as ConfigVersion,
  FieldProblemView as FieldProblem,
  HealthView as Health,
  MarketView as Market,
  RunDetailView as RunDetail,
  RunView as Run,
  TradePageView as TradePage,
  TradeView as Trade,
  TradeFacetsView as TradeFacets,
  BotView as Bot,
  AssignmentView as ConfigAssignment,
  PauseView as FleetPause,
  WaitingBotView as WaitingBot,
  PnlCalendarView as PnlCalendar,
  PnlBucketView as PnlBucket,
  ExposureView as Exposure,
  ConfigSpanView as ConfigSpan,
  ExperimentView as Experiment,
  ExperimentResultView as ExperimentResult,
  CreateExperimentDto as NewExperiment,
  VersionTimeView as VersionTime,
  VersionTimeRowView as VersionTimeRow,
} from '@polymaker/shared/api-client';

export type PnlPeriod = 'day' | 'week' | 'month';
export type PnlGroup = 'fleet' | 'bot' | 'asset' | 'window';
/** What the P&L calendar asks for; dates are calendar days in `timeZone`. */
export interface PnlQuery {
  period: PnlPeriod;
  groupBy: PnlGroup;
  from?: string;
  to?: string;
  timeZone?: string;
  botId?: number;
}

export type RunStatus = 'running' | 'completed' | 'stopped' | 'error' | 'stale';
export type RunMode = 'dry_run' | 'live';
export type TradeSide = 'buy' | 'sell';
export type TradeStatus = 'placed' | 'filled' | 'cancelled' | 'failed';
export type ApiKeyScope = 'bot' | 'viewer' | 'operator' | 'admin';

/** What GET /api/v1/me lists; the app hides every control whose permission the signed-in key lacks. */
export type Permission =
  | 'read'
  | 'audit.read'
  | 'configs.create'
  | 'configs.activate'
  | 'configs.rollback'
  | 'configs.pause'
  | 'fleet.manage'
  | 'suggestions.apply'
  | 'analyses.run'
  | 'notifications.mark-read'
  | 'jobs.run'
  | 'keys.manage'
  | 'channels.manage'
  | 'settings.manage';

export const AUDIT_ACTIONS = [
  'config.created',
  'config.activated',
  'config.rolled-back',
  'config.paused',
  'config.resumed',
  'suggestions.applied',
  'api-key.created',
  'api-key.rotated',
  'api-key.revoked',
  'channel.email.updated',
  'channel.webhook.updated',
  'channel.telegram.updated',
  'wallet.settings.updated',
  'retention.updated',
  'fleet.tags.updated',
  'fleet.assigned',
  'fleet.unassigned',
  'fleet.paused',
  'fleet.resumed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditFilter {
  action?: AuditAction | '';
  apiKeyId?: number | null;
  /** ISO 8601, inclusive */
  from?: string;
  /** ISO 8601, exclusive */
  to?: string;
  limit?: number;
}
export type NotificationKind = 'run-summary' | 'run-error' | 'run-stale' | 'wallet-low' | 'test';

export interface RunFilter {
  status?: RunStatus | '';
  mode?: RunMode | '';
  configId?: number | null;
  apiKeyId?: number | null;
  /** The bot that owns the run (botId: the first key of its rotation chain). */
  botId?: number | null;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface TradeFilter {
  runId?: number | null;
  /** The bot that owns the trade's run (botId of its API keys). */
  botId?: number | null;
  asset?: string;
  window?: string;
  side?: TradeSide | '';
  outcome?: string;
  status?: TradeStatus | '';
  strategy?: string;
  from?: string;
  to?: string;
  sort?: 'id' | 'price' | 'size' | 'cycle';
  order?: 'asc' | 'desc';
  limit?: number;
}

/** How many watchlist markets the admin app loads at first and per "Load more". */
export const MARKET_PAGE = 200;

/** The loaded part of the watchlist: `more` when markets beyond these exist; `assets`: the asset filter's choices. */
export interface MarketList {
  items: Market[];
  total: number;
  more: boolean;
  assets: string[];
}

/** What the watchlist is narrowed to (all server side). */
export interface MarketFilter {
  includeExpired?: boolean;
  /** Exact asset. */
  asset?: string;
  /** Asset or slug contains this, case-insensitive (at most 100 characters). */
  search?: string;
}

/** The longest watchlist search the API accepts. */
export const MARKET_SEARCH_MAX = 100;

/** One point of a run's metric history: time plus every key the bot sent. */
export interface MetricPoint {
  at: string;
  extra: Record<string, unknown>;
  [key: string]: unknown;
}
