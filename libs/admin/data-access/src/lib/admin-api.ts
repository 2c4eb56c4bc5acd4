import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import {
  AnalysesService,
  ApiKeysService,
  AuditService,
  ConfigsService,
  ExperimentsService,
  FleetService,
  HealthService,
  MarketsService,
  NotificationsService,
  RunsService,
  SchedulerService,
  TradesService,
  WalletService,
} from '@polymaker/shared/api-client';
import { AdminSession } from './admin-session';
import {
  AuditFilter,
  Bot,
  ConfigAssignment,
  ConfigSpan,
  Experiment,
  ExperimentResult,
  NewExperiment,
  Exposure,
  PnlCalendar,
  PnlQuery,
  FleetPause,
  AuditPage,
  Me,
  ServerActivationPreview,
  Analysis,
  AnalysisList,
  AppliedSuggestions,
  ApiKey,
  ApiKeyScope,
  ChannelTest,
  Channels,
  Comparison,
  VersionTime,
  DeliveryList,
  NotificationItem,
  NotificationKind,
  NotificationList,
  Retention,
  UpdateEmailChannel,
  UpdateTelegramChannel,
  UpdateWebhookChannel,
  WalletOverview,
  WalletSeries,
  ConfigActivation,
  ConfigDiff,
  ConfigSchema,
  ConfigValidation,
  ConfigVersion,
  CreatedApiKey,
  Health,
  Market,
  MARKET_PAGE,
  MarketFilter,
  MarketList,
  MetricPoint,
  Run,
  RunDetail,
  RunFilter,
  TradeFacets,
  TradeFilter,
  TradePage,
} from './models';
import { auditQuery, compactQuery, runQuery, toQueryString, tradeQuery } from './query';

/** Everything the admin app asks the API, in one place, on top of the generated client. */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly runs = inject(RunsService);
  private readonly trades = inject(TradesService);
  private readonly configs = inject(ConfigsService);
  private readonly keys = inject(ApiKeysService);
  private readonly markets = inject(MarketsService);
  private readonly healthService = inject(HealthService);
  private readonly analyses = inject(AnalysesService);
  private readonly notifications = inject(NotificationsService);
  private readonly walletService = inject(WalletService);
  private readonly scheduler = inject(SchedulerService);
  private readonly audit = inject(AuditService);
  private readonly session = inject(AdminSession);
  private readonly fleet = inject(FleetService);
  private readonly experimentsService = inject(ExperimentsService);

  // ---- fleet control
  async listBots(): Promise<Bot[]> {
    return (await this.fleet.listBots()).items;
  }
  setBotTags(id: number, tags: string[]): Promise<Bot> {
    return this.fleet.setBotTags({ id, body: { tags } });
  }
  async listAssignments(): Promise<ConfigAssignment[]> {
    return (await this.fleet.listConfigAssignments()).items;
  }
  assignConfig(target: { botId: number } | { tag: string }, configId: number): Promise<ConfigAssignment> {
    return this.fleet.assignConfig({ body: { ...target, configId } });
  }
  removeAssignment(id: number): Promise<void> {
    return this.fleet.removeConfigAssignment({ id });
  }
  async listPauses(): Promise<FleetPause[]> {
    return (await this.fleet.listPauses()).items;
  }
  pauseBots(target: { scope: 'fleet' } | { botId: number } | { tag: string }): Promise<FleetPause> {
    return this.fleet.pauseBots({ body: target });
  }
  resumeBots(target: { scope: 'fleet' } | { botId: number } | { tag: string }): Promise<void> {
    return this.fleet.resumeBots({ body: target });
  }
  getBot(id: number): Promise<Bot> {
    return this.fleet.getBot({ id });
  }
  async botConfigSpans(id: number): Promise<ConfigSpan[]> {
    return (await this.fleet.botConfigSpans({ id })).items;
  }
  async exposure(botId?: number): Promise<Exposure[]> {
    return (await this.fleet.fleetExposure(botId === undefined ? {} : { botId })).items;
  }
  // ---- experiments
  async listExperiments(): Promise<Experiment[]> {
    return (await this.experimentsService.listExperiments()).items;
  }
  startExperiment(body: NewExperiment): Promise<Experiment> {
    return this.experimentsService.startExperiment({ body });
  }
  getExperiment(id: number): Promise<ExperimentResult> {
    return this.experimentsService.getExperiment({ id });
  }
  stopExperiment(id: number): Promise<Experiment> {
    return this.experimentsService.stopExperiment({ id });
  }
  promoteExperiment(
    id: number,
    configId: number,
    target: { to: 'fleet' } | { to: 'tag'; tag: string },
  ): Promise<Experiment> {
    return this.experimentsService.promoteExperiment({ id, body: { configId, ...target } });
  }

  pnlCalendar(query: PnlQuery): Promise<PnlCalendar> {
    return this.trades.pnlCalendar({ ...query });
  }

  // ---- runs
  listRuns(filter: RunFilter = {}): Promise<{ items: Run[]; total: number }> {
    return this.runs.listRuns(runQuery(filter));
  }
  getRun(id: number): Promise<RunDetail> {
    return this.runs.getRun({ id });
  }
  async getRunMetrics(id: number, limit?: number): Promise<MetricPoint[]> {
    const series = await this.runs.getRunMetrics({ id, limit });
    return series.items as MetricPoint[];
  }

  // ---- trades
  listTrades(filter: TradeFilter, cursor?: string | null): Promise<TradePage> {
    return this.trades.listTrades(tradeQuery(filter, cursor));
  }
  /** The values the trade filters offer (bounded lists). */
  tradeFacets(): Promise<TradeFacets> {
    return this.trades.tradeFacets();
  }
  /** The export URL of a filter (the whole filtered set, not one page). */
  tradesCsvUrl(filter: TradeFilter): string {
    const { limit: _limit, ...rest } = filter;
    return `/api/v1/trades/export.csv${toQueryString(rest)}`;
  }
  /** Downloads the CSV of a filter with the key header (a plain link cannot send it). */
  downloadTradesCsv(filter: TradeFilter): Promise<{ blob: Blob; filename: string }> {
    return this.downloadCsv(this.tradesCsvUrl(filter), 'trades');
  }

  private async downloadCsv(url: string, name: string): Promise<{ blob: Blob; filename: string }> {
    const response = await fetch(url, { headers: { 'X-Api-Key': this.session.key() ?? '' } });
    if (!response.ok) {
      let message = `Export failed (${response.status})`;
      try {
        const body = (await response.json()) as { message?: string };
        if (body.message) message = body.message;
      } catch {
        // not JSON
      }
      throw new Error(message);
    }
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename =
      /filename="?([^";]+)"?/.exec(disposition)?.[1] ??
      `${name}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
    return { blob: await response.blob(), filename };
  }

  // ---- configs
  configSchema(): Promise<ConfigSchema> {
    return this.configs.getConfigSchema();
  }
  async listConfigs(): Promise<ConfigVersion[]> {
    return (await this.configs.listConfigVersions()).items;
  }
  getConfig(id: number): Promise<ConfigVersion> {
    return this.configs.getConfigVersion({ id });
  }
  /** The active version, or null when none is active yet. */
  async activeConfig(): Promise<ConfigVersion | null> {
    try {
      return await this.configs.getActiveConfig();
    } catch (error) {
      if (error instanceof HttpErrorResponse && error.status === 404) return null;
      throw error;
    }
  }
  async activations(): Promise<ConfigActivation[]> {
    return (await this.configs.listConfigActivations()).items;
  }
  diffConfigs(from: number, to: number): Promise<ConfigDiff> {
    return this.configs.diffConfigVersions({ from, to });
  }
  validateConfig(values: Record<string, unknown>): Promise<ConfigValidation> {
    return this.configs.validateConfig({ body: { values } });
  }
  createConfig(body: {
    values: Record<string, unknown>;
    basedOnId?: number;
    note?: string;
    activate?: boolean;
  }): Promise<ConfigVersion> {
    return this.configs.createConfigVersion({ body });
  }
  activateConfig(id: number): Promise<ConfigVersion> {
    return this.configs.activateConfigVersion({ id });
  }
  /** What activating a version changes against the active one (GET /configs/{id}/activation-preview). */
  previewActivation(id: number): Promise<ServerActivationPreview> {
    return this.configs.previewConfigActivation({ id });
  }
  /** What a rollback changes; without `toVersion`, to the version active before the current one. */
  previewRollback(toVersion?: number): Promise<ServerActivationPreview> {
    return this.configs.previewConfigRollback(toVersion === undefined ? {} : { toVersion });
  }
  rollbackConfig(toVersion?: number): Promise<ConfigVersion> {
    return this.configs.rollbackConfig({ body: toVersion === undefined ? {} : { toVersion } });
  }
  setPaused(paused: boolean): Promise<ConfigVersion> {
    return this.configs.setOrdersPaused({ body: { paused } });
  }

  // ---- API keys
  async listKeys(): Promise<ApiKey[]> {
    return (await this.keys.listApiKeys()).items;
  }
  createKey(body: { name: string; scope: ApiKeyScope; value?: string }): Promise<CreatedApiKey> {
    return this.keys.createApiKey({ body });
  }
  revokeKey(id: number): Promise<ApiKey> {
    return this.keys.revokeApiKey({ id });
  }
  rotateKey(id: number, body: { graceMinutes?: number; value?: string } = {}): Promise<CreatedApiKey> {
    return this.keys.rotateApiKey({ id, body });
  }

  // ---- who is signed in, and the audit trail
  me(): Promise<Me> {
    return this.keys.getMe();
  }
  listAudit(filter: AuditFilter = {}, cursor?: string | null): Promise<AuditPage> {
    return this.audit.listAuditEntries(auditQuery(filter, cursor));
  }
  auditCsvUrl(filter: AuditFilter): string {
    const { limit: _limit, ...rest } = filter;
    return `/api/v1/audit/export.csv${toQueryString(rest)}`;
  }
  downloadAuditCsv(filter: AuditFilter): Promise<{ blob: Blob; filename: string }> {
    return this.downloadCsv(this.auditCsvUrl(filter), 'audit');
  }

  // ---- markets
  /** The first `count` markets of the watchlist, fetched page by page, with the total and whether more exist. */
  async listMarkets(filter: MarketFilter = {}, count = MARKET_PAGE): Promise<MarketList> {
    const items: Market[] = [];
    const query = compactQuery({ asset: filter.asset, search: filter.search });
    let cursor: string | undefined;
    for (;;) {
      const page = await this.markets.listMarkets({
        ...query,
        includeExpired: filter.includeExpired ?? false,
        limit: Math.min(1000, count - items.length),
        cursor,
      });
      items.push(...page.items);
      if (!page.nextCursor || items.length >= count)
        return { items, total: page.total, more: page.nextCursor !== null, assets: page.assets };
      cursor = page.nextCursor;
    }
  }

  // ---- analyses
  listAnalyses(
    query: { runId?: number; botId?: number | null; configId?: number; limit?: number; offset?: number } = {},
  ): Promise<AnalysisList> {
    return this.analyses.listAnalyses(compactQuery(query));
  }
  compareConfigs(configIds?: number[], runsPerConfig?: number, botId?: number | null): Promise<Comparison> {
    return this.analyses.compareRuns({
      configIds: configIds?.length ? [configIds.join(',')] : undefined,
      runsPerConfig,
      ...(botId ? { botId } : {}),
    });
  }
  /** Config versions by the time they really ran (runs cut by the version their bot was served), over [from, to). */
  versionTime(query: { botId?: number | null; from?: string; to?: string } = {}): Promise<VersionTime> {
    return this.analyses.versionTime(compactQuery(query));
  }
  getAnalysis(id: number): Promise<Analysis> {
    return this.analyses.getAnalysis({ id });
  }
  runAnalyses(runId: number): Promise<Analysis[]> {
    return this.analyses.listRunAnalyses({ id: runId });
  }
  analyzeRun(runId: number): Promise<Analysis> {
    return this.analyses.analyzeRun({ id: runId });
  }
  /** A new, inactive config version from the analysis' suggestions (all of them when `suggestionIds` is left out). */
  applySuggestions(analysisId: number, suggestionIds?: string[], note?: string): Promise<AppliedSuggestions> {
    return this.analyses.applySuggestions({
      id: analysisId,
      body: { suggestionIds, ...(note ? { note } : {}) },
    });
  }

  // ---- notifications
  listNotifications(
    query: {
      unread?: boolean;
      kind?: NotificationKind;
      botId?: number;
      limit?: number;
      offset?: number;
    } = {},
  ): Promise<NotificationList> {
    return this.notifications.listNotifications(query);
  }
  markRead(id: number): Promise<NotificationItem> {
    return this.notifications.markNotificationRead({ id });
  }
  markUnread(id: number): Promise<NotificationItem> {
    return this.notifications.markNotificationUnread({ id });
  }
  async markAllRead(): Promise<number> {
    return (await this.notifications.markAllNotificationsRead()).updated;
  }
  listDeliveries(
    query: {
      status?: 'pending' | 'sent' | 'failed';
      channel?: 'email' | 'webhook' | 'telegram';
      notificationId?: number;
      limit?: number;
    } = {},
  ): Promise<DeliveryList> {
    return this.notifications.listNotificationDeliveries(query);
  }
  channels(): Promise<Channels> {
    return this.notifications.getNotificationChannels();
  }
  updateEmailChannel(body: UpdateEmailChannel): Promise<Channels> {
    return this.notifications.updateEmailChannel({ body });
  }
  updateWebhookChannel(body: UpdateWebhookChannel): Promise<Channels> {
    return this.notifications.updateWebhookChannel({ body });
  }
  updateTelegramChannel(body: UpdateTelegramChannel): Promise<Channels> {
    return this.notifications.updateTelegramChannel({ body });
  }
  testChannel(channel: 'email' | 'webhook' | 'telegram'): Promise<ChannelTest> {
    return this.notifications.testNotificationChannel({ channel });
  }

  // ---- wallet and retention
  wallet(): Promise<WalletOverview> {
    return this.walletService.getWallet();
  }
  walletSeries(query: { runId?: number; apiKeyId?: number; limit?: number } = {}): Promise<WalletSeries> {
    return this.walletService.getWalletSeries(query);
  }
  setWalletThreshold(lowBalanceThreshold: string | null): Promise<WalletOverview> {
    return this.walletService.updateWalletSettings({ body: { lowBalanceThreshold } });
  }
  /** The watched public address and its JSON-RPC URL; nulls go back to WALLET_ADDRESS / WALLET_RPC_URL. */
  setWalletWatch(watchAddress: string | null, rpcUrl: string | null): Promise<WalletOverview> {
    return this.walletService.updateWalletSettings({ body: { watchAddress, rpcUrl } });
  }
  retention(): Promise<Retention> {
    return this.scheduler.getRetention();
  }
  setRetention(metricRetentionDays: number | null): Promise<Retention> {
    return this.scheduler.updateRetention({ body: { metricRetentionDays } });
  }

  // ---- health
  health(): Promise<Health> {
    return this.healthService.health();
  }
}
