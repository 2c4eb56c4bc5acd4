import { BotApi } from './bot-api';
import { Clock } from './clock';
import { BotConfig, DEFAULT_CONFIG, readConfig } from './config';
import { Asset, MarketWorld, Outcome, WindowDuration, WindowInfo } from './market';
import { fillProbability, hedgeTier, positionPnl, quotePrice, remainingPct } from './model';
import { Rng } from './rng';
import {
  cancelBody,
  failedBody,
  fillBody,
  HedgeAnalytics,
  marketsReportBody,
  money,
  resolutionBody,
  RunMetrics,
  RunMode,
  runUpdateBody,
  startRunBody,
  stopBody,
  StopStatus,
  tradeBody,
} from './wire';

/** Virtual seconds between the bot's periodic calls (the contract's cadence). */
export interface Cadence {
  configSec: number;
  metricsSec: number;
  marketsSec: number;
  cycleSec: number;
}

/** How far ahead (virtual seconds) the bot's exchange feed sees the underlying. */
export const MOMENTUM_LEAD_SEC = 4;

export const REAL_CADENCE: Cadence = { configSec: 10, metricsSec: 30, marketsSec: 100, cycleSec: 5 };

export interface BotOptions {
  index: number;
  api: BotApi;
  world: MarketWorld;
  clock: Clock;
  rng: Rng;
  mode?: RunMode;
  bankroll: number;
  cadence?: Cadence;
  /** Share of bots that send their stop twice (shutdown handler + KeyboardInterrupt). */
  doubleStopRate?: number;
  log?: (line: string) => void;
}

interface Order {
  tradeId: number | null;
  outcome: Outcome;
  price: number;
  size: number;
  strategy: 'MM' | 'hedge';
  status: 'open' | 'filled' | 'cancelled' | 'failed';
  fillPrice: number;
  fillSize: number;
}

interface Position {
  info: WindowInfo;
  orders: Order[];
  requotes: number;
  hedged: boolean;
  lastCheck: number;
}

export type BotState = 'waiting' | 'starting' | 'running' | 'stopping' | 'done' | 'failed';

/**
 * One simulated market-making bot: polls the config, starts a run, quotes both outcomes of a few
 * Up/Down windows, gets filled, cancels, hedges one-sided fills, resolves windows into P&L, pushes
 * metrics and market reports, and stops its run at the end. Every call goes through the real bot
 * API one at a time, as the Python client's blocking calls do.
 */
export class SimBot {
  state: BotState = 'waiting';
  runId: number | null = null;
  config: BotConfig = DEFAULT_CONFIG;
  paused = false;
  apiErrors = 0;
  /** Set to end the trading loop at its next event (the runs' stops can then be spread out). */
  stopRequested = false;
  readonly counters = { orders: 0, fills: 0, cancels: 0, failed: 0, updates: 0, hedges: 0 };

  private readonly cadence: Cadence;
  private readonly rng: Rng;
  private readonly upperCaseSide: boolean;
  private readonly positions = new Map<string, Position>();
  private cycle = 0;
  private metricsPushes = 0;
  private realizedPnl = 0;
  private peakPnl = 0;
  private maxDrawdown = 0;
  private wins = 0;
  private losses = 0;
  private wallet: number;
  private maxCapital = 0;
  private merges = 0;
  private mergedUsd = 0;
  private claims = 0;
  private claimedUsd = 0;
  private claimsPending: number[] = [];
  private paired = 0;
  private oneSided = 0;
  private spreadCaptured: number[] = [];
  private readonly hedge: HedgeAnalytics = {
    pairs: 0,
    orphans: 0,
    tier1: 0,
    tier2: 0,
    tier3: 0,
    tier4: 0,
    avgPairCost: null,
    hedgeSpendUsd: 0,
  };
  private pairCosts: number[] = [];

  constructor(private readonly options: BotOptions) {
    this.cadence = options.cadence ?? REAL_CADENCE;
    this.rng = options.rng;
    this.wallet = options.bankroll;
    // Some bots in the field send the side upper-case; the server must absorb it.
    this.upperCaseSide = this.rng.chance(0.15);
  }

  get totalPnl(): number {
    return this.realizedPnl + this.unrealizedPnl(this.options.clock.now());
  }

  /** The whole life of the bot; resolves once its run is stopped (or it gave up). */
  async run(): Promise<void> {
    const { api, clock } = this.options;
    this.state = 'starting';
    await api.get('/status');
    await this.pollConfig();
    while (this.runId === null && !clock.stopped && !this.stopRequested) {
      const mode = this.options.mode ?? this.config.mode;
      const started = await api.post<{ runId?: number }>(
        '/run/start',
        startRunBody(this.config.id, mode, this.options.bankroll),
      );
      if (started.ok && typeof started.body?.runId === 'number') {
        this.runId = started.body.runId;
      } else {
        this.apiErrors++;
        this.options.log?.(
          `bot ${this.options.index}: run/start failed (${started.error ?? started.status}); retrying`,
        );
        await clock.sleepVirtual(this.cadence.configSec);
        await this.pollConfig();
      }
    }
    if (this.runId === null) {
      this.state = 'failed';
      return;
    }
    this.state = 'running';
    const now = clock.now();
    let nextConfig = now + this.cadence.configSec;
    let nextCycle = now;
    let nextMetrics = now + this.cadence.metricsSec * this.rng.between(0.2, 1);
    let nextMarkets = now + this.rng.between(0, 5);
    while (!clock.stopped && !this.stopRequested) {
      await clock.sleepUntil(Math.min(nextConfig, nextCycle, nextMetrics, nextMarkets));
      if (clock.stopped || this.stopRequested) break;
      const at = clock.now();
      if (at >= nextConfig) {
        await this.pollConfig();
        nextConfig += this.cadence.configSec;
        if (nextConfig < at) nextConfig = at + this.cadence.configSec;
      }
      if (at >= nextCycle) {
        await this.tradingCycle(clock.now());
        nextCycle += this.cadence.cycleSec;
        if (nextCycle < at) nextCycle = at + this.cadence.cycleSec;
      }
      if (at >= nextMetrics) {
        await this.pushMetrics();
        nextMetrics += this.cadence.metricsSec;
        if (nextMetrics < at) nextMetrics = at + this.cadence.metricsSec;
      }
      if (at >= nextMarkets) {
        await this.reportMarkets(clock.now());
        nextMarkets += this.cadence.marketsSec * this.rng.between(0.9, 1.1);
        if (nextMarkets < at) nextMarkets = at + this.cadence.marketsSec;
      }
    }
    await this.shutdown();
  }

  private async pollConfig(): Promise<void> {
    const result = await this.options.api.get<Record<string, unknown>>('/config');
    if (result.ok && result.body) {
      this.config = readConfig(result.body);
      if (this.config.pauseOrders !== this.paused) {
        this.paused = this.config.pauseOrders;
        this.options.log?.(
          `bot ${this.options.index}: orders ${this.paused ? 'PAUSED' : 'resumed'} by config`,
        );
      }
    } else if (result.status !== 404) {
      this.apiErrors++;
    }
  }

  private async tradingCycle(at: number): Promise<void> {
    this.cycle++;
    for (const position of [...this.positions.values()]) {
      if (at >= position.info.end + 2) {
        await this.resolve(position, at);
        continue;
      }
      await this.manage(position, at);
    }
    await this.enterWindows(at);
    this.updateRisk(at);
    // Claims of won one-sided windows settle a minute after resolution.
    this.claimsPending = this.claimsPending.filter((due) => due > at);
  }

  private async enterWindows(at: number): Promise<void> {
    if (this.paused) return;
    const active = [...this.positions.values()].filter((p) => at < p.info.end).length;
    if (active >= this.config.maxConcurrentWindows) return;
    const candidates: WindowInfo[] = [];
    for (const asset of this.config.targetAssets) {
      for (const window of this.config.windowDurations) {
        // The window open now while more than 55% of it is left, else the next one (bots quote
        // upcoming windows ahead of their open, as tradeAdvanceWindows does).
        const current = this.options.world.windowAt(asset, window, at);
        const info =
          remainingPct(current, at) > 55 ? current : this.options.world.window(asset, window, current.end);
        if (!this.positions.has(info.windowId)) candidates.push(info);
      }
    }
    if (candidates.length === 0 || !this.rng.chance(0.6)) return;
    const info = this.rng.pick(candidates);
    const quote = this.options.world.quote(info, at);
    const size = Math.max(1, Math.round(this.config.mmOrderSize * this.rng.between(0.8, 1.2) * 2) / 2);
    const upPrice = quotePrice(quote.up);
    const downPrice = quotePrice(quote.down);
    const budget = this.options.bankroll * (1 - this.config.reserveRatio);
    if (this.capitalDeployed() + this.openOrderValue() + size * (upPrice + downPrice) > budget) return;
    const position: Position = { info, orders: [], requotes: 0, hedged: false, lastCheck: at };
    this.positions.set(info.windowId, position);
    await this.place(position, 'Up', upPrice, size, 'MM');
    await this.place(position, 'Down', downPrice, size, 'MM');
  }

  private async manage(position: Position, at: number): Promise<void> {
    const { info } = position;
    const quote = this.options.world.quote(info, at);
    const dt = Math.max(0, at - position.lastCheck);
    position.lastCheck = at;
    const left = remainingPct(info, at);
    for (const order of position.orders) {
      if (order.status !== 'open') continue;
      const book = order.outcome === 'Up' ? quote.up : quote.down;
      if (left < 12) {
        await this.cancel(order);
        continue;
      }
      // Momentum gate: the bot's exchange price feed runs a few seconds ahead of the Polymarket
      // book; when it says this outcome is about to drop through the quote, pull the quote.
      const ahead = this.options.world.quote(info, Math.min(at + MOMENTUM_LEAD_SEC, info.end - 1));
      const aheadBid = order.outcome === 'Up' ? ahead.up.bid : ahead.down.bid;
      if (order.strategy === 'MM' && aheadBid < order.price - 0.02) {
        await this.cancel(order);
        continue;
      }
      if (
        this.rng.chance(
          fillProbability({ price: order.price, book, dtSeconds: dt, fillRate: this.config.simFillRate }),
        )
      ) {
        const fillSize = this.rng.chance(0.15)
          ? Math.max(0.5, Math.round(order.size * this.rng.between(0.4, 0.9) * 2) / 2)
          : order.size;
        await this.fill(order, order.price, fillSize);
        continue;
      }
      // The market ran away from a resting quote (and nothing is filled yet): cancel and re-quote at the new bid.
      const anyFilled = position.orders.some((o) => o.status === 'filled');
      if (
        !this.paused &&
        !anyFilled &&
        order.strategy === 'MM' &&
        position.requotes < 4 &&
        left > 30 &&
        Math.abs(book.bid - order.price) >= 0.03
      ) {
        position.requotes++;
        await this.cancel(order);
        await this.place(position, order.outcome, quotePrice(book), order.size, 'MM');
      }
    }
    // One side filled and the other not: complete the pair when a hedging tier allows it.
    if (this.config.hedgeEnabled && !position.hedged && !this.paused) {
      const filledUp = this.filled(position, 'Up');
      const filledDown = this.filled(position, 'Down');
      if (filledUp > 0 !== filledDown > 0) {
        const have: Outcome = filledUp > 0 ? 'Up' : 'Down';
        const other: Outcome = have === 'Up' ? 'Down' : 'Up';
        const avgCost = this.avgFillPrice(position, have);
        const otherAsk = other === 'Up' ? quote.up.ask : quote.down.ask;
        const tier = hedgeTier(avgCost + otherAsk, left, this.config);
        if (tier > 0) {
          position.hedged = true;
          for (const order of position.orders)
            if (order.outcome === other && order.status === 'open') await this.cancel(order);
          const size = Math.max(filledUp, filledDown);
          const hedgeOrder = await this.place(position, other, otherAsk, size, 'hedge');
          if (hedgeOrder && hedgeOrder.status === 'open') {
            await this.fill(hedgeOrder, otherAsk, size);
            this.counters.hedges++;
            this.hedge[`tier${tier}` as 'tier1'] += 1;
            this.hedge.hedgeSpendUsd += otherAsk * size;
          }
        }
      }
    }
  }

  private async resolve(position: Position, at: number): Promise<void> {
    const outcome = this.options.world.resolution(position.info, at) as Outcome;
    for (const order of position.orders) if (order.status === 'open') await this.cancel(order);
    let windowPnl = 0;
    let payout = 0;
    for (const order of position.orders) {
      if (order.status !== 'filled' || order.tradeId === null) continue;
      const pnl = positionPnl(order.outcome, outcome, order.fillPrice, order.fillSize);
      windowPnl += pnl;
      if (order.outcome === outcome) payout += order.fillSize;
      await this.update(resolutionBody(order.tradeId, outcome, pnl));
    }
    const up = this.filled(position, 'Up');
    const down = this.filled(position, 'Down');
    if (up > 0 && down > 0) {
      this.paired++;
      this.hedge.pairs++;
      const pairCost = this.avgFillPrice(position, 'Up') + this.avgFillPrice(position, 'Down');
      this.pairCosts.push(pairCost);
      this.spreadCaptured.push(1 - pairCost);
      this.merges++;
      this.mergedUsd += Math.min(up, down);
    } else if (up > 0 || down > 0) {
      this.oneSided++;
      this.hedge.orphans++;
      if ((up > 0 ? 'Up' : 'Down') === outcome) {
        this.claims++;
        this.claimedUsd += Math.max(up, down);
        this.claimsPending.push(at + 60);
      }
    }
    if (up > 0 || down > 0) {
      if (windowPnl >= 0) this.wins++;
      else this.losses++;
    }
    this.realizedPnl += windowPnl;
    this.wallet += payout;
    this.positions.delete(position.info.windowId);
  }

  private async place(
    position: Position,
    outcome: Outcome,
    price: number,
    size: number,
    strategy: 'MM' | 'hedge',
  ): Promise<Order | null> {
    if (this.runId === null) return null;
    const { info } = position;
    const side = this.upperCaseSide ? 'BUY' : 'buy';
    const order: Order = {
      tradeId: null,
      outcome,
      price,
      size,
      strategy,
      status: 'open',
      fillPrice: 0,
      fillSize: 0,
    };
    const result = await this.options.api.post<{ tradeId?: number }>(
      '/trade',
      tradeBody({
        runId: this.runId,
        cycle: this.cycle,
        asset: info.asset,
        windowDuration: info.window,
        side,
        outcome,
        price,
        size,
        strategy,
        conditionId: info.conditionId,
        tokenId: outcome === 'Up' ? info.tokenIdUp : info.tokenIdDown,
      }),
    );
    this.counters.orders++;
    if (!result.ok || typeof result.body?.tradeId !== 'number') {
      this.apiErrors++;
      // The order is live on the exchange even when the Command Center missed it.
      position.orders.push(order);
      return order;
    }
    order.tradeId = result.body.tradeId;
    position.orders.push(order);
    // Now and then the exchange rejects an order (balance, tick size, closed market).
    if (this.rng.chance(0.01)) {
      order.status = 'failed';
      this.counters.failed++;
      await this.update(failedBody(order.tradeId));
    }
    return order;
  }

  private async fill(order: Order, quoted: number, size: number): Promise<void> {
    // simEdge (simulator only): this version fills a little cheaper, so it really earns more per fill
    const price =
      this.config.simEdge > 0
        ? Math.max(0.01, Math.round((quoted - this.config.simEdge) * 1e4) / 1e4)
        : quoted;
    order.status = 'filled';
    order.fillPrice = price;
    order.fillSize = size;
    this.wallet -= price * size;
    this.counters.fills++;
    if (order.tradeId !== null) await this.update(fillBody(order.tradeId, price, size, Date.now()));
  }

  private async cancel(order: Order): Promise<void> {
    order.status = 'cancelled';
    this.counters.cancels++;
    if (order.tradeId !== null) await this.update(cancelBody(order.tradeId));
  }

  private async update(body: object): Promise<void> {
    this.counters.updates++;
    const result = await this.options.api.post('/trade/update', body);
    if (!result.ok) this.apiErrors++;
  }

  private filled(position: Position, outcome: Outcome): number {
    return position.orders
      .filter((o) => o.outcome === outcome && o.status === 'filled')
      .reduce((sum, o) => sum + o.fillSize, 0);
  }

  private avgFillPrice(position: Position, outcome: Outcome): number {
    const orders = position.orders.filter((o) => o.outcome === outcome && o.status === 'filled');
    const size = orders.reduce((sum, o) => sum + o.fillSize, 0);
    return size > 0 ? orders.reduce((sum, o) => sum + o.fillPrice * o.fillSize, 0) / size : 0;
  }

  private capitalDeployed(): number {
    let total = 0;
    for (const position of this.positions.values()) {
      for (const o of position.orders) if (o.status === 'filled') total += o.fillPrice * o.fillSize;
    }
    return total;
  }

  private openOrderValue(): number {
    let total = 0;
    for (const position of this.positions.values()) {
      for (const o of position.orders) if (o.status === 'open') total += o.price * o.size;
    }
    return total;
  }

  private positionValue(at: number): number {
    let total = 0;
    for (const position of this.positions.values()) {
      const quote = this.options.world.quote(position.info, Math.min(at, position.info.end - 1));
      for (const o of position.orders) {
        if (o.status !== 'filled') continue;
        const mid =
          o.outcome === 'Up' ? (quote.up.bid + quote.up.ask) / 2 : (quote.down.bid + quote.down.ask) / 2;
        total += mid * o.fillSize;
      }
    }
    return total;
  }

  private unrealizedPnl(at: number): number {
    return this.positionValue(at) - this.capitalDeployed();
  }

  private updateRisk(at: number): void {
    const total = this.realizedPnl + this.unrealizedPnl(at);
    this.peakPnl = Math.max(this.peakPnl, total);
    this.maxDrawdown = Math.max(this.maxDrawdown, this.peakPnl - total);
    this.maxCapital = Math.max(this.maxCapital, this.capitalDeployed());
  }

  openOrders(): number {
    let count = 0;
    for (const position of this.positions.values())
      for (const o of position.orders) if (o.status === 'open') count++;
    return count;
  }

  metrics(at: number): RunMetrics {
    const totalPnl = this.realizedPnl + this.unrealizedPnl(at);
    const avg = (values: number[]) =>
      values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    const pairCost = avg(this.pairCosts);
    return {
      totalCycles: this.cycle,
      totalOrders: this.counters.orders,
      totalFills: this.counters.fills,
      totalPnl: money(totalPnl),
      peakPnl: money(this.peakPnl),
      maxDrawdown: money(this.maxDrawdown),
      winCount: this.wins,
      lossCount: this.losses,
      avgSpreadCaptured: avg(this.spreadCaptured),
      avgFillRate: this.counters.orders ? this.counters.fills / this.counters.orders : null,
      endingBankroll: money(this.options.bankroll + this.realizedPnl),
      maxCapitalDeployed: money(this.maxCapital),
      // The bot reads its wallet after the first metrics push; before that it sends null.
      walletBalance: this.metricsPushes === 0 ? null : money(this.wallet),
      startingWallet: this.options.bankroll,
      mergesCompleted: this.merges,
      totalMergedUsd: money(this.mergedUsd),
      claimsCompleted: this.claims - this.claimsPending.length,
      totalClaimedUsd: money(this.claimedUsd),
      claimsPending: this.claimsPending.length,
      positionValue: money(this.positionValue(at)),
      hedgeAnalytics: { ...this.hedge, avgPairCost: pairCost === null ? null : money(pairCost) },
      realizedPnl: money(this.realizedPnl),
      pairedWindows: this.paired,
      oneSidedFills: this.oneSided,
    };
  }

  private async pushMetrics(): Promise<void> {
    if (this.runId === null) return;
    const at = this.options.clock.now();
    this.updateRisk(at);
    const body = runUpdateBody(this.runId, this.metrics(at), {
      // Newer bots send keys the server does not know yet; they go as named, snake_case included.
      open_orders: this.openOrders(),
      api_errors: this.apiErrors,
    });
    this.metricsPushes++;
    const result = await this.options.api.post('/run/update', body);
    if (!result.ok) this.apiErrors++;
  }

  private async reportMarkets(at: number): Promise<void> {
    const markets = [];
    for (const asset of this.config.targetAssets as Asset[]) {
      for (const window of this.config.windowDurations as WindowDuration[]) {
        const info = this.options.world.windowAt(asset, window, at);
        markets.push({
          tokenId: info.tokenIdUp,
          tokenIdDown: info.tokenIdDown,
          asset: info.asset,
          window: info.window,
          windowId: info.windowId,
          conditionId: info.conditionId,
          expiresAt: String(info.end),
        });
      }
    }
    const result = await this.options.api.post('/markets/report', marketsReportBody(markets));
    if (!result.ok) this.apiErrors++;
  }

  /** Cancel what is still resting, stop the run with the final metrics; sometimes twice. */
  private async shutdown(): Promise<void> {
    if (this.runId === null) return;
    this.state = 'stopping';
    const at = this.options.clock.now();
    for (const position of this.positions.values()) {
      for (const order of position.orders) if (order.status === 'open') await this.cancel(order);
    }
    this.updateRisk(at);
    const final = this.metrics(at);
    const roll = this.rng.next();
    const status: StopStatus = roll < 0.9 ? 'completed' : roll < 0.97 ? 'stopped' : 'error';
    const message = status === 'error' ? 'Simulated failure: order book websocket closed (1006)' : undefined;
    const first = await this.options.api.post('/run/stop', stopBody(this.runId, status, final, message));
    if (!first.ok) this.apiErrors++;
    if (this.rng.chance(this.options.doubleStopRate ?? 0.3)) {
      // The KeyboardInterrupt handler stops again with what it still knows.
      const again = await this.options.api.post(
        '/run/stop',
        stopBody(this.runId, status, { totalPnl: final.totalPnl }, message),
      );
      if (!again.ok) this.apiErrors++;
    }
    this.state = 'done';
  }
}
