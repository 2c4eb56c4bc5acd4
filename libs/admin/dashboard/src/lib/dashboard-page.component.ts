import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AdminApi, AdminSession, LiveEvents, Run, SafeActivation, apiErrorMessage, createLoader, metricSeries } from '@polymaker/admin/data-access';
import { ActivationPreview } from '@polymaker/admin/util';
import { alertNotifications, walletChartSeries } from './wallet';
import {
  ActivationConfirmComponent,
  AgoPipe,
  AsyncStateComponent,
  ChartComponent,
  ChartSeries,
  ConfirmComponent,
  DecimalPipe,
  IconComponent,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
  injectNow,
} from '@polymaker/admin/ui';
import { summarize, summarizeBots } from './bot-summary';

const STALE_AFTER_S = 120;

@Component({
  selector: 'pm-dashboard-page',
  imports: [RouterLink, ActivationConfirmComponent, AsyncStateComponent, ConfirmComponent, ChartComponent, IconComponent, MoneyComponent, StatusBadgeComponent, AgoPipe, DecimalPipe, TimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Dashboard</h1>
        <p>Running bots, live P&amp;L and the latest trades. Updates arrive without reloading.</p>
      </div>
      <div class="toolbar">
        @if (active.value(); as config) {
          <span class="muted">Active config <a [routerLink]="['/configs', config.id]">v{{ config.version }}</a></span>
          @if (paused()) {
            <span class="badge warn" data-testid="orders-paused">Orders paused</span>
            @if (fleetPause(); as p) {
              <span class="muted" data-testid="fleet-pickup">{{ p.fetched }} of {{ p.bots }} bots have fetched it</span>
            }
            @if (session.can('fleet.manage')) {
              <button type="button" class="primary" (click)="resumeOrders()" [disabled]="busy()" data-testid="resume-orders"><pm-icon name="play" /> Resume orders</button>
            }
          } @else {
            <span class="badge good" data-testid="orders-active">Orders active</span>
            @if (session.can('fleet.manage')) {
              <button type="button" class="danger" (click)="pauseDialog.open()" [disabled]="busy()" data-testid="pause-orders"><pm-icon name="pause" /> Pause orders</button>
            }
          }
        }
      </div>
    </div>
    <pm-activation-confirm />
    <pm-confirm #pauseDialog title="Pause orders on every bot?" confirmLabel="Pause orders" [danger]="true" (confirmed)="pauseFleet()">
      Every bot stops placing orders at its next config poll (about every 10 s). No config version is created; the Bots page shows which bots have fetched it.
    </pm-confirm>
    @if (actionError(); as message) {
      <div class="alert bad" role="alert">{{ message }}</div>
    }
    @if (actionNotice(); as message) {
      <div class="alert good" role="status">{{ message }}</div>
    }

    <section class="grid grid-kpi" aria-label="Totals">
      <div class="kpi"><div class="label">Running runs</div><div class="value" data-testid="kpi-running">{{ running().length }}</div><div class="sub">{{ bots().length }} bot(s)</div></div>
      <div class="kpi"><div class="label">P&amp;L (running)</div><div class="value"><pm-money [value]="total().totalPnl" [signed]="true" data-testid="kpi-pnl" /></div><div class="sub">USDC</div></div>
      <div class="kpi"><div class="label">Fill rate</div><div class="value">{{ total().fillRate === null ? '—' : (total().fillRate | pmDecimal: 1) + ' %' }}</div><div class="sub">{{ total().totalFills }} fills / {{ total().totalOrders }} orders</div></div>
      <div class="kpi"><div class="label">Cycles</div><div class="value">{{ total().cycles }}</div><div class="sub">across running runs</div></div>
      <div class="kpi"><div class="label">Wallet balance</div><div class="value"><pm-money [value]="total().walletBalance" /></div><div class="sub">latest reported, USDC</div></div>
      <div class="kpi"><div class="label">Open alerts</div><div class="value" [class.neg]="alerts().length > 0">{{ alerts().length }}</div><div class="sub">stale or failed runs, unread alerts</div></div>
    </section>

    @if (alerts().length) {
      <section class="card alerts" aria-labelledby="alerts-title">
        <h2 id="alerts-title"><span><pm-icon name="alert" /> Open alerts</span></h2>
        <ul>
          @for (alert of alerts(); track alert.key) {
            <li [attr.data-alert]="alert.key"><pm-status-badge [status]="alert.status" /> @if (alert.runId) { <a [routerLink]="['/runs', alert.runId]">Run #{{ alert.runId }}</a> } @else { <a routerLink="/notifications">Notification</a> } {{ alert.text }}</li>
          }
        </ul>
      </section>
    }

    <div class="grid grid-2 section">
      <section class="card" aria-labelledby="pnl-title">
        <h2 id="pnl-title">Live P&amp;L <span class="muted small">running runs</span></h2>
        <pm-chart label="P&L of running runs over time" unit="USDC" [series]="pnlSeries()" emptyText="No running run has reported P&L yet." />
      </section>
      <section class="card" aria-labelledby="bots-title">
        <h2 id="bots-title">Bots</h2>
        <pm-async-state what="running runs" [pending]="runs.pending()" [error]="runs.error()" (retry)="runs.reload()" [empty]="bots().length === 0" emptyText="No bot is running. Start one with its bot key and it shows up here.">
          @for (bot of bots(); track bot.apiKeyId) {
            <article class="bot" [attr.aria-label]="'Bot ' + bot.name">
              <header>
                <strong>{{ bot.name }}</strong>
                <span class="muted">{{ bot.runs.length }} running · P&amp;L <pm-money [value]="bot.totalPnl" [signed]="true" /> · fill rate {{ bot.fillRate === null ? '—' : (bot.fillRate | pmDecimal: 1) + ' %' }} · {{ bot.cycles }} cycles · wallet <pm-money [value]="bot.walletBalance" /></span>
              </header>
              <ul class="runs">
                @for (run of bot.runs; track run.id) {
                  <li data-testid="running-run">
                    <a [routerLink]="['/runs', run.id]">Run #{{ run.id }}</a>
                    <pm-status-badge [status]="isStale(run) ? 'stale' : run.status" />
                    <pm-status-badge [status]="run.mode" />
                    <span class="muted">updated {{ run.lastUpdateAt | pmAgo: now() }}</span>
                    <pm-money [value]="run.totalPnl" [signed]="true" />
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
        <pm-chart label="Wallet balance over time" unit="USDC" [series]="walletChart()" emptyText="No wallet balance reported yet (bots send walletBalance; the server can watch an address)." />
        <pm-async-state what="the wallet" [pending]="walletState.pending()" [error]="walletState.error()" (retry)="walletState.reload()" [empty]="!walletState.value()">
          @if (walletState.value(); as w) {
            <dl class="pairs">
              <dt>Low-balance alert</dt><dd>@if (w.lowBalanceThreshold) { below <pm-money [value]="w.lowBalanceThreshold" /> USDC } @else { off }</dd>
              <dt>Watched address</dt><dd>@if (w.chain; as c) { <code class="addr">{{ c.address }}</code> · <pm-money [value]="c.usdc" /> USDC · {{ c.pol ?? '—' }} POL · {{ c.at | pmAgo: now() }} @if (c.error) { <span class="neg">{{ c.error }}</span> } } @else { {{ w.watchedAddress ?? 'none' }} }</dd>
              @for (b of w.bots; track b.runId) {
                <dt>Bot key #{{ b.apiKeyId ?? '—' }}</dt><dd><pm-money [value]="b.walletBalance" /> · run <a [routerLink]="['/runs', b.runId]">#{{ b.runId }}</a> · {{ b.at | pmAgo: now() }}</dd>
              }
              @for (a of w.alerts; track a.source) {
                <dt>{{ a.source }}</dt><dd><pm-status-badge [status]="a.below ? 'warning' : 'ok'" /> last <pm-money [value]="a.lastBalance" /> vs {{ a.threshold }} · {{ a.alerts }} alert{{ a.alerts === 1 ? '' : 's' }}</dd>
              }
            </dl>
          }
        </pm-async-state>
      </div>
    </section>

    <section class="card section" aria-labelledby="trades-title">
      <h2 id="trades-title">Latest trades <a routerLink="/trades" class="small">All trades →</a></h2>
      <pm-async-state what="trades" [pending]="trades.pending()" [error]="trades.error()" (retry)="trades.reload()" [empty]="(trades.value()?.length ?? 0) === 0" emptyText="No trades yet.">
        <div class="table-wrap">
          <table class="data" data-testid="latest-trades">
            <caption class="sr-only">The 10 most recent trades</caption>
            <thead><tr><th scope="col">Time</th><th scope="col">Run</th><th scope="col">Market</th><th scope="col">Side</th><th scope="col" class="num">Price</th><th scope="col" class="num">Size</th><th scope="col">Status</th><th scope="col" class="num">P&amp;L</th></tr></thead>
            <tbody>
              @for (t of trades.value(); track t.id) {
                <tr>
                  <td>{{ t.createdAt | pmTime }}</td>
                  <td><a [routerLink]="['/runs', t.runId]">#{{ t.runId }}</a></td>
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
    .section { margin-top: 1rem; }
    .addr { word-break: break-all; }
    .small { font-size: 0.8rem; font-weight: 400; }
    .alerts { margin-top: 1rem; border-color: var(--warn); }
    .alerts ul { margin: 0; padding-left: 1rem; display: flex; flex-direction: column; gap: 0.3rem; }
    .bot { border-top: 1px solid var(--border); padding: 0.6rem 0; }
    .bot:first-child { border-top: none; padding-top: 0; }
    .bot header { display: flex; flex-direction: column; gap: 0.15rem; }
    .runs { list-style: none; padding: 0; margin: 0.4rem 0 0; display: flex; flex-direction: column; gap: 0.3rem; }
    .runs li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
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

  protected readonly runs = createLoader(() => this.api.listRuns({ limit: 200, status: 'running' }));
  protected readonly recent = createLoader(() => this.api.listRuns({ limit: 50 }));
  // Key names label the bots; only keys that manage keys may list them (the others see key ids).
  protected readonly keys = createLoader(() => (this.session.can('keys.manage') ? this.api.listKeys() : Promise.resolve([])));
  protected readonly active = createLoader(() => this.api.activeConfig());
  protected readonly trades = createLoader(async () => (await this.api.listTrades({ limit: 10 })).items);
  private readonly metrics = signal<Map<number, ChartSeries>>(new Map());

  protected readonly busy = signal(false);
  protected readonly actionError = signal<string | null>(null);
  protected readonly actionNotice = signal<string | null>(null);

  protected readonly running = computed(() => this.runs.value()?.items ?? []);
  protected readonly bots = computed(() => summarizeBots(this.running(), this.keys.value() ?? []));
  protected readonly total = computed(() => summarize(this.running(), null, 'All bots'));
  protected readonly pauses = createLoader(() => this.api.listPauses());
  /** The fleet-wide pause laid over the served config (no version), with its pick-up. */
  protected readonly fleetPause = computed(() => (this.pauses.value() ?? []).find((p) => p.kind === 'fleet') ?? null);
  /** Paused by the fleet-wide pause, or by an active version that says pauseOrders (an older pause). */
  private readonly versionPaused = computed(() => this.active.value()?.values?.['pauseOrders'] === true);
  protected readonly paused = computed(() => this.fleetPause() !== null || this.versionPaused());
  protected readonly pnlSeries = computed(() => [...this.metrics().values()]);
  protected readonly notices = createLoader(() => this.api.listNotifications({ unread: true, limit: 50 }));
  protected readonly walletState = createLoader(() => this.api.wallet());
  protected readonly walletSeries = createLoader(() => this.api.walletSeries({ limit: 2000 }));
  protected readonly walletChart = computed(() => walletChartSeries(this.walletSeries.value()));
  protected readonly alerts = computed(() => {
    const out: Array<{ key: string; runId: number | null; status: string; text: string }> = [];
    for (const n of alertNotifications(this.notices.value()?.items ?? [])) {
      out.push({ key: `notification-${n.id}`, runId: n.kind === 'wallet-low' ? null : n.runId, status: n.kind === 'wallet-low' ? 'warning' : n.kind === 'run-error' ? 'error' : 'stale', text: n.title });
    }
    const dayAgo = this.now() - 86_400_000;
    for (const run of this.running()) {
      if (this.isStale(run)) out.push({ key: `stale-${run.id}`, runId: run.id, status: 'stale', text: `has not reported for ${Math.round((this.now() - Date.parse(run.lastUpdateAt)) / 1000)} s` });
    }
    for (const run of this.recent.value()?.items ?? []) {
      if (run.status === 'stale' && !out.some((a) => a.runId === run.id && a.status === 'stale')) out.push({ key: `stale-${run.id}`, runId: run.id, status: 'stale', text: 'was marked stale by the server' });
      if (run.status === 'error' && !out.some((a) => a.runId === run.id && a.status === 'error') && Date.parse(run.stoppedAt ?? run.lastUpdateAt) > dayAgo) out.push({ key: `error-${run.id}`, runId: run.id, status: 'error', text: run.errorMessage ?? 'ended with an error' });
    }
    return out;
  });

  constructor() {
    this.live.watch(['run.*', 'stream.connected'], () => {
      void this.runs.reload().then(() => this.loadMetrics());
      void this.recent.reload();
    });
    this.live.watch(['trade.*', 'stream.connected'], () => void this.trades.reload());
    this.live.watch(['config.*', 'stream.connected'], () => void this.active.reload());
    this.live.watch(['fleet.changed', 'stream.connected'], () => void this.pauses.reload());
    // Pick-up arrives with the bots' polls, which send no event: re-read while some bots have not fetched the pause.
    const pickup = setInterval(() => {
      const p = this.fleetPause();
      if (p && p.fetched < p.bots) void this.pauses.reload();
    }, 3000);
    inject(DestroyRef).onDestroy(() => clearInterval(pickup));
    this.live.watch(['notification.*', 'wallet.low-balance', 'run.stopped', 'run.stale', 'stream.connected'], () => void this.notices.reload(), 1000);
    this.live.watch(['wallet.low-balance', 'run.updated', 'stream.connected'], () => {
      void this.walletState.reload();
      void this.walletSeries.reload();
    }, 2000);
    void this.runs.reload().then(() => this.loadMetrics());
  }

  protected isStale(run: Run): boolean {
    return run.status === 'stale' || (run.status === 'running' && this.now() - Date.parse(run.lastUpdateAt) > STALE_AFTER_S * 1000);
  }

  private async loadMetrics(): Promise<void> {
    const runs = this.running().slice(0, 8);
    const entries = await Promise.all(
      runs.map(async (run) => {
        try {
          const points = await this.api.getRunMetrics(run.id, 2000);
          return [run.id, { name: `Run #${run.id}`, points: metricSeries(points, 'totalPnl'), area: runs.length === 1 }] as const;
        } catch {
          return [run.id, this.metrics().get(run.id) ?? { name: `Run #${run.id}`, points: [] }] as const;
        }
      }),
    );
    this.metrics.set(new Map(entries));
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
