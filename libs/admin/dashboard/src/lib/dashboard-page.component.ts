import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import {
  AdminApi,
  AdminSession,
  BotWallet,
  ChainReading,
  LiveEvents,
  POLL_TICK,
  Run,
  SafeActivation,
  ServerEvent,
  apiErrorMessage,
  createLoader,
  metricSeries,
} from '@polymaker/admin/data-access';
import { ActivationPreview, isDecimal } from '@polymaker/admin/util';
import {
  ActivationConfirmComponent,
  AgoPipe,
  AsyncStateComponent,
  ChartComponent,
  ConfirmComponent,
  DecimalPipe,
  IconComponent,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
  injectNow,
} from '@polymaker/admin/ui';
import { botNamer, summarize, summarizeBots } from './bot-summary';
import { RunSeriesBook, SERIES_POINTS, applyRunUpdate, pointOf, readRunUpdate } from './live-runs';
import {
  WalletBook,
  alertNotifications,
  botBalance,
  botsOfKeys,
  walletChartSeries,
  walletSourceName,
  walletTotal,
} from './wallet';

const STALE_AFTER_S = 120;
/** How many running runs the P&L chart draws (each one's series fetched once, then kept live). */
const CHARTED_RUNS = 8;
/** A run.updated of a run not listed as running (a stale run back, or a start not yet re-read) waits this long for run.started's re-read. */
const UNLISTED_RUN_GRACE_MS = 2_000;
/** The lists are loaded by refresh(): when the page opens, and again on a new or reset stream connection. */
const LATER = { immediate: false };

/** Whether a batch holds a server event (not only the ticks the app sends itself while polling). */
function fromServer(events: readonly ServerEvent[]): boolean {
  return events.some((e) => e.name !== POLL_TICK);
}

function runIdOf(data: unknown): number | null {
  const id = typeof data === 'object' && data !== null ? (data as { runId?: unknown }).runId : null;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

@Component({
  selector: 'pm-dashboard-page',
  imports: [
    RouterLink,
    ActivationConfirmComponent,
    AsyncStateComponent,
    ConfirmComponent,
    ChartComponent,
    IconComponent,
    MoneyComponent,
    StatusBadgeComponent,
    AgoPipe,
    DecimalPipe,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Dashboard</h1>
        <p>
          Running bots, the P&amp;L their runs report and the latest trades. Updates arrive without reloading.
        </p>
      </div>
      <div class="toolbar">
        @if (active.value(); as config) {
          <span class="muted"
            >Active config <a [routerLink]="['/configs', config.id]">v{{ config.version }}</a></span
          >
          @if (paused()) {
            <span class="badge warn" data-testid="orders-paused">Orders paused</span>
            @if (fleetPause(); as p) {
              <span class="muted" data-testid="fleet-pickup"
                >{{ p.fetched }} of {{ p.bots }} bots have fetched it</span
              >
            }
            @if (session.can('fleet.manage')) {
              <button
                type="button"
                class="primary"
                (click)="resumeOrders()"
                [disabled]="busy()"
                data-testid="resume-orders"
              >
                <pm-icon name="play" /> Resume orders
              </button>
            }
          } @else {
            <span class="badge good" data-testid="orders-active">Orders active</span>
            @if (session.can('fleet.manage')) {
              <button
                type="button"
                class="danger"
                (click)="pauseDialog.open()"
                [disabled]="busy()"
                data-testid="pause-orders"
              >
                <pm-icon name="pause" /> Pause orders
              </button>
            }
          }
        }
      </div>
    </div>
    <pm-activation-confirm />
    <pm-confirm
      #pauseDialog
      title="Pause orders on every bot?"
      confirmLabel="Pause orders"
      [danger]="true"
      (confirmed)="pauseFleet()"
    >
      Every bot stops placing orders at its next config poll (about every 10 s). No config version is created;
      the Bots page shows which bots have fetched it.
    </pm-confirm>
    @if (actionError(); as message) {
      <div class="alert bad" role="alert">{{ message }}</div>
    }
    @if (actionNotice(); as message) {
      <div class="alert good" role="status">{{ message }}</div>
    }

    <section class="grid grid-kpi" aria-label="Totals">
      <div class="kpi">
        <div class="label">Running runs</div>
        <div class="value" data-testid="kpi-running">{{ running().length }}</div>
        <div class="sub">{{ botSummaries().length }} bot(s)</div>
      </div>
      <div class="kpi" data-testid="kpi-pnl-card">
        <div class="label">Reported P&amp;L</div>
        <div class="value">
          <pm-money [value]="total().reportedPnl" [signed]="true" data-testid="kpi-pnl" />
        </div>
        <div class="sub">running runs, as they report it (may include unrealised), USDC</div>
      </div>
      <div class="kpi">
        <div class="label">Fill rate</div>
        <div class="value">
          {{ total().fillRate === null ? '—' : (total().fillRate | pmDecimal: 1) + ' %' }}
        </div>
        <div class="sub">{{ total().totalFills }} fills / {{ total().totalOrders }} orders</div>
      </div>
      <div class="kpi">
        <div class="label">Cycles</div>
        <div class="value">{{ total().cycles }}</div>
        <div class="sub">across running runs</div>
      </div>
      <div class="kpi">
        <div class="label">Wallets</div>
        <div class="value"><pm-money [value]="walletKpi().total" data-testid="kpi-wallet" /></div>
        <div class="sub">
          sum of each bot's latest balance ({{ walletKpi().bots }} bot{{
            walletKpi().bots === 1 ? '' : 's'
          }}), USDC
        </div>
      </div>
      <div class="kpi">
        <div class="label">Open alerts</div>
        <div class="value" [class.neg]="alerts().length > 0">{{ alerts().length }}</div>
        <div class="sub">stale or failed runs, unread alerts</div>
      </div>
    </section>

    @if (alerts().length) {
      <section class="card alerts" aria-labelledby="alerts-title">
        <h2 id="alerts-title">
          <span><pm-icon name="alert" /> Open alerts</span>
        </h2>
        <ul>
          @for (alert of alerts(); track alert.key) {
            <li [attr.data-alert]="alert.key">
              <pm-status-badge [status]="alert.status" />
              @if (alert.runId) {
                <a [routerLink]="['/runs', alert.runId]">Run #{{ alert.runId }}</a>
              } @else {
                <a routerLink="/notifications">Notification</a>
              }
              {{ alert.text }}
            </li>
          }
        </ul>
      </section>
    }

    <div class="grid grid-2 section">
      <section class="card" aria-labelledby="pnl-title">
        <h2 id="pnl-title">
          Live reported P&amp;L
          <span class="muted small">running runs, as they report it (may include unrealised)</span>
        </h2>
        <pm-chart
          label="Reported P&L of running runs over time"
          unit="USDC"
          [series]="pnlSeries()"
          emptyText="No running run has reported P&L yet."
          data-testid="pnl-chart"
        />
      </section>
      <section class="card" aria-labelledby="bots-title">
        <h2 id="bots-title">Bots</h2>
        <pm-async-state
          what="running runs"
          [pending]="runs.pending()"
          [error]="runs.error()"
          (retry)="runs.reload()"
          [empty]="botSummaries().length === 0"
          emptyText="No bot is running. Start one with its bot key and it shows up here."
        >
          @for (bot of botSummaries(); track bot.botId) {
            <article class="bot" [attr.aria-label]="'Bot ' + bot.name">
              <header>
                <strong>{{ bot.name }}</strong>
                <span class="muted"
                  >{{ bot.runs.length }} running · reported P&amp;L
                  <pm-money [value]="bot.reportedPnl" [signed]="true" /> · fill rate
                  {{ bot.fillRate === null ? '—' : (bot.fillRate | pmDecimal: 1) + ' %' }} ·
                  {{ bot.cycles }} cycles · wallet <pm-money [value]="walletOf(bot.botId)"
                /></span>
              </header>
              <ul class="runs">
                @for (run of bot.runs; track run.id) {
                  <li data-testid="running-run">
                    <a [routerLink]="['/runs', run.id]">Run #{{ run.id }}</a>
                    <pm-status-badge [status]="isStale(run) ? 'stale' : run.status" />
                    <pm-status-badge [status]="run.mode" />
                    <span class="muted">updated {{ run.lastUpdateAt | pmAgo: now() }}</span>
                    <span class="muted">reported P&amp;L</span
                    ><pm-money [value]="run.totalPnl" [signed]="true" />
                  </li>
                }
              </ul>
            </article>
          }
        </pm-async-state>
      </section>
    </div>

    <section class="card section" aria-labelledby="wallet-title" data-testid="wallet-section">
      <h2 id="wallet-title">Wallet <a routerLink="/settings" class="small">Threshold →</a></h2>
      <div class="grid grid-2">
        <pm-chart
          label="Wallet balance of each bot over time"
          unit="USDC"
          [series]="walletChart()"
          emptyText="No wallet balance reported yet (bots send walletBalance; the server can watch an address)."
          data-testid="wallet-chart"
        />
        <pm-async-state
          what="the wallet"
          [pending]="walletState.pending()"
          [error]="walletState.error()"
          (retry)="walletState.reload()"
          [empty]="!walletState.value()"
        >
          @if (walletState.value(); as w) {
            <dl class="pairs">
              <dt>Low-balance alert</dt>
              <dd>
                @if (w.lowBalanceThreshold) {
                  below <pm-money [value]="w.lowBalanceThreshold" /> USDC
                } @else {
                  off
                }
              </dd>
              <dt>Watched address</dt>
              <dd>
                @if (w.chain; as c) {
                  <code class="addr">{{ c.address }}</code> · <pm-money [value]="c.usdc" /> USDC ·
                  {{ c.pol ?? '—' }} POL · {{ c.at | pmAgo: now() }}
                  @if (c.error) {
                    <span class="neg">{{ c.error }}</span>
                  }
                } @else {
                  {{ w.watchedAddress ?? 'none' }}
                }
              </dd>
              @for (b of walletRows(); track b.botId) {
                <dt data-testid="wallet-bot">{{ b.name }}</dt>
                <dd>
                  <pm-money [value]="b.balance" data-testid="wallet-bot-balance" /> USDC
                  @if (b.runId) {
                    · run <a [routerLink]="['/runs', b.runId]">#{{ b.runId }}</a>
                  }
                  @if (b.at) {
                    · {{ b.at | pmAgo: now() }}
                  }
                </dd>
              }
              @for (a of w.alerts; track a.source) {
                <dt>{{ sourceName(a.source) }}</dt>
                <dd>
                  <pm-status-badge [status]="a.below ? 'warning' : 'ok'" /> last
                  <pm-money [value]="a.lastBalance" /> vs {{ a.threshold }} · {{ a.alerts }} alert{{
                    a.alerts === 1 ? '' : 's'
                  }}
                </dd>
              }
            </dl>
          }
        </pm-async-state>
      </div>
    </section>

    <section class="card section" aria-labelledby="trades-title">
      <h2 id="trades-title">Latest trades <a routerLink="/trades" class="small">All trades →</a></h2>
      <pm-async-state
        what="trades"
        [pending]="trades.pending()"
        [error]="trades.error()"
        (retry)="trades.reload()"
        [empty]="(trades.value()?.length ?? 0) === 0"
        emptyText="No trades yet."
      >
        <div class="table-wrap">
          <table class="data" data-testid="latest-trades">
            <caption class="sr-only">
              The 10 most recent trades
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Run</th>
                <th scope="col">Market</th>
                <th scope="col">Side</th>
                <th scope="col" class="num">Price</th>
                <th scope="col" class="num">Size</th>
                <th scope="col">Status</th>
                <th scope="col" class="num" title="The trade's P&L once resolved">Realised P&amp;L</th>
              </tr>
            </thead>
            <tbody>
              @for (t of trades.value(); track t.id) {
                <tr>
                  <td>{{ t.createdAt | pmTime }}</td>
                  <td>
                    <a [routerLink]="['/runs', t.runId]">#{{ t.runId }}</a>
                  </td>
                  <td>{{ t.asset }} {{ t.windowDuration }} · {{ t.outcome }}</td>
                  <td>{{ t.side }}</td>
                  <td class="num">{{ t.price | pmDecimal: 4 }}</td>
                  <td class="num">{{ t.size | pmDecimal: 2 }}</td>
                  <td><pm-status-badge [status]="t.status" /></td>
                  <td class="num"><pm-money [value]="t.pnl" [signed]="true" /></td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      </pm-async-state>
    </section>
  `,
  styles: `
    .section {
      margin-top: 1rem;
    }
    .addr {
      word-break: break-all;
    }
    .small {
      font-size: 0.8rem;
      font-weight: 400;
    }
    .alerts {
      margin-top: 1rem;
      border-color: var(--warn);
    }
    .alerts ul {
      margin: 0;
      padding-left: 1rem;
      display: flex;
      flex-direction: column;
      gap: 0.3rem;
    }
    .bot {
      border-top: 1px solid var(--border);
      padding: 0.6rem 0;
    }
    .bot:first-child {
      border-top: none;
      padding-top: 0;
    }
    .bot header {
      display: flex;
      flex-direction: column;
      gap: 0.15rem;
    }
    .runs {
      list-style: none;
      padding: 0;
      margin: 0.4rem 0 0;
      display: flex;
      flex-direction: column;
      gap: 0.3rem;
    }
    .runs li {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
    }
  `,
})
export class DashboardPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  private readonly live = inject(LiveEvents);
  private readonly safe = inject(SafeActivation);
  private readonly confirm = viewChild.required(ActivationConfirmComponent);
  private readonly ask = (preview: ActivationPreview) => this.confirm().ask(preview);
  protected readonly now = injectNow(1000);

  protected readonly runs = createLoader(() => this.api.listRuns({ limit: 200, status: 'running' }), LATER);
  protected readonly recent = createLoader(() => this.api.listRuns({ limit: 50 }), LATER);
  /** The bots as the Bots page lists them: their names, and each one's latest wallet balance. */
  protected readonly bots = createLoader(() => this.api.listBots(), LATER);
  protected readonly active = createLoader(() => this.api.activeConfig(), LATER);
  protected readonly trades = createLoader(
    async () => (await this.api.listTrades({ limit: 10 })).items,
    LATER,
  );
  protected readonly pauses = createLoader(() => this.api.listPauses(), LATER);
  protected readonly notices = createLoader(
    () => this.api.listNotifications({ unread: true, limit: 50 }),
    LATER,
  );
  protected readonly walletState = createLoader(() => this.api.wallet(), LATER);

  /** The charted runs' metric series: fetched once each, then extended from the run.updated events. */
  private readonly series = new RunSeriesBook();
  private readonly seriesVersion = signal(0);
  /** Each bot's balance line: loaded from the wallet series once, then extended from the run.updated events. */
  private readonly wallet = new WalletBook();
  private readonly walletVersion = signal(0);
  private readonly chain = signal<ChainReading[]>([]);
  private readonly keysOfSeries = signal<ReadonlyMap<number, number>>(new Map());
  /** Runs an event named that were not listed as running, and runs known to have stopped. */
  private readonly unlisted = new Set<number>();
  private readonly ended = new Set<number>();
  private unlistedCheck: ReturnType<typeof setTimeout> | null = null;
  private loaded = false;

  protected readonly busy = signal(false);
  protected readonly actionError = signal<string | null>(null);
  protected readonly actionNotice = signal<string | null>(null);

  protected readonly running = computed(() => this.runs.value()?.items ?? []);
  /** One name per bot, as on the Bots page. */
  protected readonly botName = computed(() => botNamer(this.bots.value() ?? []));
  protected readonly botSummaries = computed(() => summarizeBots(this.running(), this.botName()));
  protected readonly total = computed(() => summarize(this.running(), null, 'All bots'));
  /** The fleet-wide pause laid over the served config (no version), with its pick-up. */
  protected readonly fleetPause = computed(
    () => (this.pauses.value() ?? []).find((p) => p.kind === 'fleet') ?? null,
  );
  /** Paused by the fleet-wide pause, or by an active version that says pauseOrders (an older pause). */
  private readonly versionPaused = computed(() => this.active.value()?.values?.['pauseOrders'] === true);
  protected readonly paused = computed(() => this.fleetPause() !== null || this.versionPaused());
  protected readonly pnlSeries = computed(() => {
    this.seriesVersion();
    const name = this.botName();
    const charted = this.running()
      .filter((run) => this.series.has(run.id))
      .slice(0, CHARTED_RUNS);
    return charted.map((run) => ({
      name: `Run #${run.id} · ${name(run.botId)}`,
      points: metricSeries(this.series.points(run.id), 'totalPnl'),
      area: charted.length === 1,
    }));
  });
  private readonly walletLines = computed(() => {
    this.walletVersion();
    return new Map(this.wallet.lines());
  });
  /** The wallet KPI: the sum over bots of each bot's latest balance (never a sum over runs). */
  protected readonly walletKpi = computed(() => walletTotal(this.bots.value() ?? [], this.walletLines()));
  protected readonly walletRows = computed(() => {
    const lines = this.walletLines();
    return (this.bots.value() ?? [])
      .map((bot) => {
        const line = lines.get(bot.botId);
        const last = line?.points.at(-1);
        return {
          botId: bot.botId,
          name: bot.name,
          balance: botBalance(bot, lines),
          runId: line?.runId ?? null,
          at: last ? new Date(last.at).toISOString() : null,
        };
      })
      .filter((row) => row.balance !== null)
      .sort((a, b) => a.name.localeCompare(b.name));
  });
  protected readonly walletChart = computed(() => {
    const name = this.botName();
    return walletChartSeries(this.walletLines(), (botId) => name(botId), this.chain());
  });
  /** Which bot each reporting key belongs to (to name a low-balance alert's "bot:<key>" source). */
  private readonly botOfKey = computed(
    () => new Map([...this.keysOfSeries(), ...botsOfKeys(this.walletState.value()?.bots ?? [])]),
  );
  protected readonly alerts = computed(() => {
    const out: Array<{ key: string; runId: number | null; status: string; text: string }> = [];
    for (const n of alertNotifications(this.notices.value()?.items ?? [])) {
      out.push({
        key: `notification-${n.id}`,
        runId: n.kind === 'wallet-low' ? null : n.runId,
        status: n.kind === 'wallet-low' ? 'warning' : n.kind === 'run-error' ? 'error' : 'stale',
        text: n.title,
      });
    }
    const dayAgo = this.now() - 86_400_000;
    for (const run of this.running()) {
      if (this.isStale(run))
        out.push({
          key: `stale-${run.id}`,
          runId: run.id,
          status: 'stale',
          text: `has not reported for ${Math.round((this.now() - Date.parse(run.lastUpdateAt)) / 1000)} s`,
        });
    }
    for (const run of this.recent.value()?.items ?? []) {
      if (run.status === 'stale' && !out.some((a) => a.runId === run.id && a.status === 'stale'))
        out.push({
          key: `stale-${run.id}`,
          runId: run.id,
          status: 'stale',
          text: 'was marked stale by the server',
        });
      if (
        run.status === 'error' &&
        !out.some((a) => a.runId === run.id && a.status === 'error') &&
        Date.parse(run.stoppedAt ?? run.lastUpdateAt) > dayAgo
      )
        out.push({
          key: `error-${run.id}`,
          runId: run.id,
          status: 'error',
          text: run.errorMessage ?? 'ended with an error',
        });
    }
    return out;
  });

  constructor() {
    // A metric push costs no request: its payload carries the point, the run's figures and the balance.
    this.live.watch(['run.updated'], (events) => this.onRunUpdates(events));
    this.live.watch(
      ['run.started', 'run.stopped', 'run.stale'],
      (events) => {
        if (!fromServer(events)) return;
        for (const e of events) {
          const id = runIdOf(e.data);
          if (e.name === 'run.stopped' && id !== null) this.ended.add(id);
        }
        void this.reloadRuns();
      },
      1000,
    );
    // trade.logged names ids only: the latest trades are re-read, at most once per 2 s while trades arrive.
    this.live.watch(
      ['trade.*'],
      (events) => {
        if (fromServer(events)) void this.trades.reload();
      },
      2000,
    );
    this.live.watch(['config.*'], (events) => {
      if (fromServer(events)) void this.active.reload();
    });
    this.live.watch(['fleet.changed'], (events) => {
      if (!fromServer(events)) return;
      void this.pauses.reload();
      void this.bots.reload();
    });
    this.live.watch(
      ['notification.*', 'wallet.low-balance', 'run.stopped', 'run.stale'],
      (events) => {
        if (fromServer(events)) void this.notices.reload();
      },
      1000,
    );
    this.live.watch(
      ['wallet.low-balance'],
      (events) => {
        if (fromServer(events)) void this.walletState.reload();
      },
      2000,
    );
    // A new connection, a stream that could not be resumed (stream.reset), or polling without a stream:
    // events may have been missed, so everything is fetched again (series included).
    this.live.watch(['stream.connected'], () => void this.refresh());
    // Pick-up arrives with the bots' polls, which send no event: re-read while some bots have not fetched the pause.
    const pickup = setInterval(() => {
      const p = this.fleetPause();
      if (p && p.fetched < p.bots) void this.pauses.reload();
    }, 3000);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(pickup);
      if (this.unlistedCheck) clearTimeout(this.unlistedCheck);
    });
    // The first load: now, unless the stream is connecting (its stream.connected loads, with no gap
    // between the load and the stream); if the connection fails the app polls, and the page loads then.
    if (this.live.mode() !== 'connecting') void this.refresh();
    effect(() => {
      if (this.live.mode() === 'polling' && !this.loaded) untracked(() => void this.refresh());
    });
  }

  protected walletOf(botId: number | null): string | null {
    const bot = botId === null ? undefined : (this.bots.value() ?? []).find((b) => b.botId === botId);
    return bot ? botBalance(bot, this.walletLines()) : null;
  }

  protected sourceName(source: string): string {
    const name = this.botName();
    return walletSourceName(source, this.botOfKey(), (botId) => name(botId));
  }

  protected isStale(run: Run): boolean {
    return (
      run.status === 'stale' ||
      (run.status === 'running' && this.now() - Date.parse(run.lastUpdateAt) > STALE_AFTER_S * 1000)
    );
  }

  /** Everything the page shows, fetched again: the lists, the wallet lines and every charted run's series. */
  private async refresh(): Promise<void> {
    this.loaded = true;
    void this.recent.reload();
    void this.active.reload();
    void this.trades.reload();
    void this.pauses.reload();
    void this.notices.reload();
    void this.walletState.reload();
    await Promise.all([this.runs.reload(), this.bots.reload(), this.loadWallet()]);
    await this.loadSeries(true);
  }

  /** A run started, stopped or went stale: the runs and the bots again, and the series of runs new to the chart. */
  private async reloadRuns(): Promise<void> {
    void this.recent.reload();
    await Promise.all([this.runs.reload(), this.bots.reload()]);
    await this.loadSeries(false);
  }

  private async loadWallet(): Promise<void> {
    this.wallet.start();
    let points: BotWallet[] | null = null;
    try {
      const series = await this.api.walletSeries({ limit: 2000 });
      points = series.bot;
      this.chain.set(series.chain);
      this.keysOfSeries.set(botsOfKeys(series.bot));
    } catch {
      // the lines stay as they were
    }
    this.wallet.finish(points);
    this.walletVersion.update((v) => v + 1);
  }

  /** The charted runs' series: all of them again (`all`), or only those not fetched yet. */
  private async loadSeries(all: boolean): Promise<void> {
    const charted = this.running().slice(0, CHARTED_RUNS);
    this.series.retain(charted.map((run) => run.id));
    this.seriesVersion.update((v) => v + 1);
    await Promise.all(
      charted.filter((run) => all || !this.series.has(run.id)).map((run) => this.loadRunSeries(run.id)),
    );
  }

  private async loadRunSeries(runId: number): Promise<void> {
    const token = this.series.start(runId);
    let points = null;
    try {
      points = await this.api.getRunMetrics(runId, SERIES_POINTS);
    } catch {
      // what was shown stays
    }
    if (this.series.finish(runId, token, points)) this.seriesVersion.update((v) => v + 1);
  }

  /** Lays the metric pushes over the runs, their series and the bots' wallet lines, without a request. */
  private onRunUpdates(events: readonly ServerEvent[]): void {
    const list = this.runs.value();
    const byId = new Map((list?.items ?? []).map((run) => [run.id, run] as const));
    let runsChanged = false;
    let seriesChanged = false;
    let walletChanged = false;
    const gaps = new Set<number>();
    for (const event of events) {
      if (event.name !== 'run.updated') continue;
      const read = readRunUpdate(event.data);
      if (!read) continue;
      if (read.kind === 'gap') {
        gaps.add(read.runId);
        continue;
      }
      const update = read.update;
      const run = byId.get(update.runId);
      if (run) {
        const next = applyRunUpdate(run, update);
        if (next !== run) {
          byId.set(update.runId, next);
          runsChanged = true;
        }
      } else this.unlisted.add(update.runId);
      if (this.series.append(update.runId, pointOf(update))) seriesChanged = true;
      const balance = update.metrics['walletBalance'];
      if (
        update.botId !== null &&
        isDecimal(balance) &&
        this.wallet.add({ botId: update.botId, runId: update.runId, at: Date.parse(update.at), balance })
      )
        walletChanged = true;
    }
    if (list && runsChanged)
      this.runs.set({ ...list, items: list.items.map((run) => byId.get(run.id) ?? run) });
    if (seriesChanged) this.seriesVersion.update((v) => v + 1);
    if (walletChanged) this.walletVersion.update((v) => v + 1);
    if (gaps.size) {
      // an event that arrived without its metrics: that run's figures and series are fetched again
      void this.reloadRuns();
      for (const id of gaps) if (this.series.has(id)) void this.loadRunSeries(id);
    }
    if (this.unlisted.size && !this.unlistedCheck)
      this.unlistedCheck = setTimeout(() => this.checkUnlisted(), UNLISTED_RUN_GRACE_MS);
  }

  /** A run pushed that is not listed as running and has not stopped (a stale run back): the runs again. */
  private checkUnlisted(): void {
    this.unlistedCheck = null;
    const listed = new Set(this.running().map((run) => run.id));
    const missing = [...this.unlisted].some((id) => !listed.has(id) && !this.ended.has(id));
    this.unlisted.clear();
    if (missing) void this.reloadRuns();
  }

  protected async pauseFleet(): Promise<void> {
    await this.brake(async () => {
      const pause = await this.api.pauseBots({ scope: 'fleet' });
      await this.pauses.reload();
      return `Orders paused on every bot (${pause.bots} bots): they stop placing orders at their next poll.`;
    });
  }

  /** Lifts the fleet-wide pause; an older pause made as a config version is resumed as before (a new version). */
  protected async resumeOrders(): Promise<void> {
    await this.brake(async () => {
      if (this.fleetPause()) {
        await this.api.resumeBots({ scope: 'fleet' });
        await this.pauses.reload();
        return 'Orders resumed: bots place orders again at their next poll.';
      }
      const version = await this.safe.setPaused(false, this.ask);
      if (!version) return null; // cancelled in the confirmation
      this.active.set(version);
      return `Orders resumed (config v${version.version}). Bots place orders again at their next poll.`;
    });
  }

  /** One pause or resume: busy while it runs, its notice (none when cancelled) or its error after. */
  private async brake(work: () => Promise<string | null>): Promise<void> {
    this.busy.set(true);
    this.actionError.set(null);
    this.actionNotice.set(null);
    try {
      this.actionNotice.set(await work());
    } catch (error) {
      this.actionError.set(apiErrorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
