// The API's shapes, re-exported under the names the admin features use: features never import the generated client.
export type {
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
} from '@polymaker/shared/api-client';

export type RunStatus = 'running' | 'completed' | 'stopped' | 'error' | 'stale';
export type RunMode = 'dry_run' | 'live';
export type TradeSide = 'buy' | 'sell';
export type TradeStatus = 'placed' | 'filled' | 'cancelled' | 'failed';
export type ApiKeyScope = 'bot' | 'admin';

export interface RunFilter {
  status?: RunStatus | '';
  mode?: RunMode | '';
  configId?: number | null;
  apiKeyId?: number | null;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface TradeFilter {
  runId?: number | null;
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

/** One point of a run's metric history: time plus every key the bot sent. */
export interface MetricPoint {
  at: string;
  extra: Record<string, unknown>;
  [key: string]: unknown;
}
