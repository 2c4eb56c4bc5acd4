import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { assertOutboundUrl } from '@polymaker/api/core';
import {
  RunUpdatedEvent,
  SETTINGS,
  normalDecimal,
  Settings,
  toDecimalString,
  UnitOfWork,
  WalletLowBalanceEvent,
} from '@polymaker/api/core';
import { AuditService } from '@polymaker/api/audit';
import { MetricsService } from '@polymaker/api/metrics';
import { BackOfficeSettingsService } from '@polymaker/api/outbox';
import { crossing } from './low-balance';
import { readWalletBalances } from './polygon-rpc';

export interface WalletSettings {
  lowBalanceThreshold: string;
  watchAddress: string;
  rpcUrl: string;
}

/** The address read on chain and the JSON-RPC URL it is read from. */
export interface WatchTarget {
  address: string;
  rpcUrl: string;
}

export const WALLET_KEY = 'wallet';

/**
 * The wallet: a balance series from what bots report (walletBalance, startingWallet,
 * positionValue), optionally an on-chain read of one watched public address, and a low-balance
 * alert raised once per crossing below the threshold (state kept per source in PostgreSQL).
 */
@Injectable()
export class WalletService {
  private readonly logger = new Logger(WalletService.name);
  /** The last pending threshold check per source: each new one waits for it. */
  private readonly checks = new Map<string, Promise<void>>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: BackOfficeSettingsService,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async threshold(em?: EntityManager): Promise<string | null> {
    const stored = await this.store.get<WalletSettings>(WALLET_KEY, em);
    return stored.lowBalanceThreshold ?? this.settings.walletLowBalance;
  }

  async updateSettings(patch: {
    lowBalanceThreshold?: string | null;
    watchAddress?: string | null;
    rpcUrl?: string | null;
  }): Promise<void> {
    if (patch.rpcUrl) await assertOutboundUrl(patch.rpcUrl, 'rpcUrl');
    await this.uow.run(async (em) => {
      const before = await this.effectiveSettings(em);
      await this.store.patch<WalletSettings>(WALLET_KEY, patch as Partial<WalletSettings>);
      const after = await this.effectiveSettings(em);
      const changedFields = (Object.keys(after) as (keyof typeof after)[]).filter(
        (field) => before[field] !== after[field],
      );
      if (changedFields.length === 0) return;
      // The RPC URL may carry a provider's API key in its path or query: the entry keeps its host.
      const view = (value: typeof after) => ({
        ...value,
        rpcUrl: value.rpcUrl ? rpcHost(value.rpcUrl) : null,
      });
      await this.audit.record(em, {
        action: 'wallet.settings.updated',
        targetId: 'wallet',
        before: view(before),
        after: { ...view(after), changedFields },
      });
    });
  }

  /** The threshold, watched address and RPC URL in force (admin API values, else the environment). */
  private async effectiveSettings(
    em: EntityManager,
  ): Promise<{ lowBalanceThreshold: string | null; watchAddress: string | null; rpcUrl: string | null }> {
    const stored = await this.store.get<WalletSettings>(WALLET_KEY, em);
    return {
      lowBalanceThreshold: stored.lowBalanceThreshold ?? this.settings.walletLowBalance,
      watchAddress: stored.watchAddress ?? this.settings.walletAddress,
      rpcUrl: stored.rpcUrl ?? this.settings.walletRpcUrl,
    };
  }

  /**
   * The watched address and RPC URL in force: those set from the admin API, else WALLET_ADDRESS and
   * WALLET_RPC_URL. Never an address a bot sent.
   */
  async watchTarget(em?: EntityManager): Promise<WatchTarget | null> {
    const stored = await this.store.get<WalletSettings>(WALLET_KEY, em);
    const address = stored.watchAddress ?? this.settings.walletAddress;
    const rpcUrl = stored.rpcUrl ?? this.settings.walletRpcUrl;
    return address && rpcUrl ? { address, rpcUrl } : null;
  }

  /**
   * A bot pushed metrics: a walletBalance in them is a reading for that bot ("bot:<botId>", the id of
   * the first key of its rotation chain, so a rotated key keeps its alert state and cooldown).
   */
  @OnEvent(RunUpdatedEvent.eventName)
  async onRunUpdated(event: RunUpdatedEvent): Promise<void> {
    const balance = toDecimalString(event.metrics['walletBalance']);
    if (balance === null) return;
    const source = `bot:${event.botId ?? event.apiKeyId ?? 0}`;
    // Readings of one source are checked in the order their updates committed: two checks racing
    // for the state row could otherwise see 10 before 20 and alert on the wrong balance.
    const previous = this.checks.get(source) ?? Promise.resolve();
    const check = previous.then(async () => {
      try {
        await this.uow.run((em) => this.record(em, source, balance, event.runId));
      } catch (error) {
        this.logger.warn(
          { err: (error as Error).message, runId: event.runId },
          'could not check the wallet threshold',
        );
      }
    });
    this.checks.set(source, check);
    await check;
    if (this.checks.get(source) === check) this.checks.delete(source);
  }

  /** Checks one reading against the threshold; alerts (durably) on a crossing below it. */
  async record(
    em: EntityManager,
    source: string,
    balance: string,
    runId: number | null,
  ): Promise<'alert' | 'suppressed' | 'recovered' | 'unchanged' | 'off'> {
    const threshold = await this.threshold(em);
    if (threshold === null) return 'off';
    await em.execute(
      `insert into wallet_alert_states (source, below, last_balance, threshold) values (?, false, ?, ?) on conflict (source) do nothing`,
      [source, balance, threshold],
    );
    const [state] = await em.execute<{ below: boolean; alerts: number; last_alert_at: Date | null }[]>(
      'select below, alerts, last_alert_at from wallet_alert_states where source = ? for update',
      [source],
    );
    const now = Date.now();
    const lastAlertAt = state.last_alert_at ? new Date(state.last_alert_at).getTime() : null;
    const outcome = crossing(
      balance,
      threshold,
      { below: state.below, lastAlertAt },
      now,
      this.settings.walletAlertCooldownMinutes * 60_000,
    );
    const below =
      outcome === 'alert' || outcome === 'suppressed' ? true : outcome === 'recovered' ? false : state.below;
    const alerts = state.alerts + (outcome === 'alert' ? 1 : 0);
    await em.execute(
      `update wallet_alert_states set below = ?, last_balance = ?, threshold = ?, alerts = ?,
              changed_at = case when ? then now() else changed_at end,
              last_alert_at = case when ? then now() else last_alert_at end
        where source = ?`,
      [below, balance, threshold, alerts, outcome !== 'unchanged', outcome === 'alert', source],
    );
    if (outcome === 'alert') {
      // the alert notice is owed by the event: the notifications module enqueues it in this transaction
      this.uow.publish(new WalletLowBalanceEvent(source, balance, threshold, runId, alerts));
      this.logger.warn({ source, balance, threshold }, 'wallet balance fell below the threshold');
    } else if (outcome === 'suppressed') {
      this.logger.log(
        { source, balance, threshold },
        'wallet balance fell below the threshold again within the alert cooldown: no new alert',
      );
    }
    return outcome;
  }

  /**
   * Reads the watched address on chain: JSON-RPC only, no database (the scheduler calls this under
   * its lease, with no transaction open). A failed read is an outcome too, recorded by `recordChain`.
   */
  async readChain(target: WatchTarget): Promise<ChainRead> {
    try {
      return {
        balances: await readWalletBalances(target.rpcUrl, target.address, this.settings.walletUsdcContract),
      };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** Stores what `readChain` read (a reading, or its error) and checks the threshold, in the caller's short transaction. */
  async recordChain(
    em: EntityManager,
    target: WatchTarget,
    read: ChainRead,
  ): Promise<{ usdc: string; pol: string } | null> {
    const { address } = target;
    if ('error' in read) {
      await em.execute('insert into wallet_readings (address, error) values (?, ?)', [
        address,
        read.error.slice(0, 1000),
      ]);
      this.logger.warn({ address, err: read.error }, 'wallet read failed');
      return null;
    }
    await em.execute('insert into wallet_readings (address, usdc, pol) values (?, ?, ?)', [
      address,
      read.balances.usdc,
      read.balances.pol,
    ]);
    await this.record(em, `chain:${address}`, read.balances.usdc, null);
    return read.balances;
  }

  async overview(): Promise<WalletOverview> {
    return this.uow.read(async (em) => {
      const bots = await this.metrics.latestWalletPoints();
      const [chain] = await em.execute<
        { address: string; usdc: string | null; pol: string | null; error: string | null; at: Date }[]
      >(
        'select address, usdc::text as usdc, pol::text as pol, error, at from wallet_readings order by id desc limit 1',
      );
      const states = await em.execute<
        {
          source: string;
          below: boolean;
          last_balance: string;
          threshold: string;
          alerts: number;
          changed_at: Date;
        }[]
      >(
        'select source, below, last_balance::text as last_balance, threshold::text as threshold, alerts, changed_at from wallet_alert_states order by source',
      );
      const target = await this.watchTarget(em);
      return {
        lowBalanceThreshold: await this.threshold(em),
        watchedAddress: target?.address ?? null,
        rpcHost: target ? new URL(target.rpcUrl).host : null,
        pollSeconds: target ? this.settings.walletPollSeconds : null,
        bots,
        chain: chain
          ? {
              address: chain.address,
              usdc: normalDecimal(chain.usdc),
              pol: normalDecimal(chain.pol),
              error: chain.error,
              at: new Date(chain.at).toISOString(),
            }
          : null,
        alerts: states.map((row) => ({
          source: row.source,
          below: row.below,
          lastBalance: normalDecimal(row.last_balance) as string,
          threshold: normalDecimal(row.threshold) as string,
          alerts: row.alerts,
          changedAt: new Date(row.changed_at).toISOString(),
        })),
      };
    });
  }

  /** Balance points from bot metrics (and chain readings), oldest first. */
  async series(query: { runId?: number; apiKeyId?: number; limit?: number }): Promise<WalletSeries> {
    return this.uow.read(async (em) => {
      const limit = query.limit ?? 2000;
      const points = await this.metrics.walletPoints({ runId: query.runId, apiKeyId: query.apiKeyId, limit });
      const chain = await em.execute<
        { address: string; usdc: string | null; pol: string | null; at: Date }[]
      >(
        `select * from (select id, address, usdc::text as usdc, pol::text as pol, at from wallet_readings where error is null order by id desc limit ${Number(limit)}) s order by id`,
      );
      return {
        bot: points,
        chain: chain.map((row) => ({
          address: row.address,
          at: new Date(row.at).toISOString(),
          usdc: normalDecimal(row.usdc),
          pol: normalDecimal(row.pol),
        })),
      };
    });
  }
}

/** One on-chain read: the balances, or why they could not be read. */
export type ChainRead = { balances: { usdc: string; pol: string } } | { error: string };

export interface WalletOverview {
  lowBalanceThreshold: string | null;
  watchedAddress: string | null;
  rpcHost: string | null;
  pollSeconds: number | null;
  bots: {
    apiKeyId: number | null;
    botId: number | null;
    runId: number;
    at: string;
    walletBalance: string | null;
    startingWallet: string | null;
    positionValue: string | null;
  }[];
  chain: {
    address: string;
    usdc: string | null;
    pol: string | null;
    error: string | null;
    at: string;
  } | null;
  alerts: {
    source: string;
    below: boolean;
    lastBalance: string;
    threshold: string;
    alerts: number;
    changedAt: string;
  }[];
}

export interface WalletSeries {
  bot: {
    runId: number;
    apiKeyId: number | null;
    botId: number | null;
    at: string;
    walletBalance: string | null;
    startingWallet: string | null;
    positionValue: string | null;
  }[];
  chain: { address: string; at: string; usdc: string | null; pol: string | null }[];
}

function rpcHost(url: string): string {
  try {
    return `${new URL(url).host} (host only)`;
  } catch {
    return '(invalid URL)';
  }
}
