import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import {
  AdminApi,
  LiveEvents,
  createLoader,
  drawdownSeries,
  fillRate,
  metricSeries,
} from '@polymaker/admin/data-access';
import { isDecimal } from '@polymaker/admin/util';
import {
  AgoPipe,
  AsyncStateComponent,
  ChartComponent,
  DecimalPipe,
  DurationPipe,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
  ValuePipe,
  injectNow,
} from '@polymaker/admin/ui';
import { RunAnalysisComponent } from './run-analysis.component';

@Component({
  selector: 'pm-run-detail-page',
  imports: [
    RouterLink,
    AsyncStateComponent,
    ChartComponent,
    MoneyComponent,
    StatusBadgeComponent,
    RunAnalysisComponent,
    AgoPipe,
    DecimalPipe,
    DurationPipe,
    TimePipe,
    ValuePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/runs">← Runs</a></p>
    <pm-async-state
      what="the run"
      [pending]="run.pending()"
      [error]="run.error()"
      (retry)="reload()"
      [empty]="!run.value()"
    >
      @if (run.value(); as r) {
        <div class="page-head">
          <div>
            <h1>
              Run #{{ r.id }} <pm-status-badge [status]="r.status" /> <pm-status-badge [status]="r.mode" />
            </h1>
            <p>
              Started {{ r.startedAt | pmTime }} · {{ r.durationSeconds | pmDuration }} · last update
              {{ r.lastUpdateAt | pmAgo: now() }} · config {{ r.configId ? 'v' + r.configId : '—' }}
            </p>
          </div>
          <div class="toolbar">
            <a class="button" [routerLink]="['/trades']" [queryParams]="{ runId: r.id }"
              >Trades of this run →</a
            >
          </div>
        </div>
        @if (r.errorMessage) {
          <div class="alert bad" role="alert">{{ r.errorMessage }}</div>
        }
        <section class="grid grid-kpi" aria-label="Run figures">
          <div class="kpi">
            <div class="label">Reported P&amp;L</div>
            <div class="value"><pm-money [value]="r.totalPnl" [signed]="true" data-testid="run-pnl" /></div>
            <div class="sub">
              as the bot reports it (may include unrealised) · bankroll
              <pm-money [value]="r.startingBankroll" />
            </div>
          </div>
          <div class="kpi">
            <div class="label">Fill rate</div>
            <div class="value">{{ rate() === null ? '—' : (rate() | pmDecimal: 1) + ' %' }}</div>
            <div class="sub">{{ r.totalFills ?? '—' }} fills / {{ r.totalOrders ?? '—' }} orders</div>
          </div>
          <div class="kpi">
            <div class="label">Trades</div>
            <div class="value" data-testid="run-trade-count">{{ r.tradeCount }}</div>
          </div>
          <div class="kpi">
            <div class="label">Wallet</div>
            <div class="value"><pm-money [value]="walletBalance()" /></div>
          </div>
          <div class="kpi">
            <div class="label">Score</div>
            <div class="value">{{ r.overallScore ?? '—' }}</div>
            <div class="sub">analysis, 0–100</div>
          </div>
        </section>
        <div class="grid grid-2 section">
          <section class="card">
            <h2>Reported P&amp;L <span class="muted small">may include unrealised</span></h2>
            <pm-chart
              label="Reported P&L over time"
              unit="USDC"
              [series]="[{ name: 'P&L', points: pnl(), area: true }]"
            />
          </section>
          <section class="card">
            <h2>Drawdown</h2>
            <pm-chart
              label="Drawdown from peak P&L"
              unit="USDC"
              [series]="[{ name: 'Drawdown', points: drawdown(), area: true }]"
            />
          </section>
          <section class="card">
            <h2>Fills</h2>
            <pm-chart
              label="Fills and orders over time"
              [series]="[
                { name: 'Fills', points: fills(), step: true },
                { name: 'Orders', points: orders(), step: true },
              ]"
            />
          </section>
          <section class="card">
            <h2>Wallet</h2>
            <pm-chart
              label="Wallet balance over time"
              unit="USDC"
              [series]="[{ name: 'Wallet', points: wallet() }]"
              emptyText="The bot has not reported walletBalance."
            />
          </section>
        </div>
        <div class="grid grid-2 section">
          <section class="card" aria-labelledby="metrics-title">
            <h2 id="metrics-title">Metrics</h2>
            <dl class="pairs">
              @for (m of metricEntries(); track m[0]) {
                <dt>{{ m[0] }}</dt>
                <dd>{{ m[1] | pmValue }}</dd>
              } @empty {
                <dt>—</dt>
                <dd class="muted">none reported yet</dd>
              }
            </dl>
            <h3 class="section">Extra keys, as the bot sent them</h3>
            @if (extraEntries().length) {
              <dl class="pairs" data-testid="run-extra">
                @for (m of extraEntries(); track m[0]) {
                  <dt>
                    <code>{{ m[0] }}</code>
                  </dt>
                  <dd>
                    <code>{{ m[1] | pmValue }}</code>
                  </dd>
                }
              </dl>
            } @else {
              <p class="muted">No keys outside the contract.</p>
            }
          </section>
          <section class="card" aria-labelledby="markets-title">
            <h2 id="markets-title">Markets traded</h2>
            @if (markets().length) {
              <div class="table-wrap">
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Asset</th>
                      <th scope="col">Window</th>
                      <th scope="col">Condition</th>
                      <th scope="col" class="num">Trades</th>
                    </tr>
                  </thead>
                  <tbody>
                    @for (m of markets(); track m.key) {
                      <tr>
                        <td>{{ m.asset }}</td>
                        <td>{{ m.window }}</td>
                        <td class="mono ellipsis">{{ m.conditionId ?? '—' }}</td>
                        <td class="num">{{ m.count }}</td>
                      </tr>
                    }
                  </tbody>
                </table>
              </div>
            } @else {
              <p class="muted">No trades yet.</p>
            }
          </section>
        </div>
        <section class="card section" aria-labelledby="analysis-title">
          <pm-run-analysis [runId]="r.id" />
        </section>
        <section class="card section" aria-labelledby="run-trades-title">
          <h2 id="run-trades-title">
            Latest trades
            <a [routerLink]="['/trades']" [queryParams]="{ runId: r.id }" class="small"
              >All {{ r.tradeCount }} →</a
            >
          </h2>
          <pm-async-state
            what="trades"
            [pending]="trades.pending()"
            [error]="trades.error()"
            (retry)="trades.reload()"
            [empty]="(trades.value()?.length ?? 0) === 0"
            emptyText="No trades in this run yet."
          >
            <div class="table-wrap">
              <table class="data" data-testid="run-trades">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Time</th>
                    <th scope="col">Cycle</th>
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
                      <td>{{ t.id }}</td>
                      <td>{{ t.createdAt | pmTime }}</td>
                      <td>{{ t.cycle }}</td>
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
      }
    </pm-async-state>
  `,
  styles: `
    .section {
      margin-top: 1rem;
    }
    .small {
      font-size: 0.8rem;
      font-weight: 400;
    }
    .ellipsis {
      max-width: 22ch;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    h1 {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
    }
  `,
})
export class RunDetailPageComponent {
  private readonly api = inject(AdminApi);
  readonly id = input.required<string>();
  protected readonly now = injectNow(1000);
  private readonly runId = computed(() => Number(this.id()));

  protected readonly run = createLoader(() => this.api.getRun(this.runId()), { immediate: false });
  protected readonly points = createLoader(() => this.api.getRunMetrics(this.runId()), { immediate: false });
  protected readonly trades = createLoader(
    async () => (await this.api.listTrades({ runId: this.runId(), limit: 50 })).items,
    { immediate: false },
  );

  protected readonly rate = computed(() =>
    fillRate(this.run.value()?.totalFills, this.run.value()?.totalOrders),
  );
  protected readonly pnl = computed(() => metricSeries(this.points.value() ?? [], 'totalPnl'));
  protected readonly drawdown = computed(() => drawdownSeries(this.pnl()));
  protected readonly fills = computed(() => metricSeries(this.points.value() ?? [], 'totalFills'));
  protected readonly orders = computed(() => metricSeries(this.points.value() ?? [], 'totalOrders'));
  protected readonly wallet = computed(() => metricSeries(this.points.value() ?? [], 'walletBalance'));
  /** The walletBalance the bot last reported (a decimal string), or null. */
  protected readonly walletBalance = computed(() => {
    const value: unknown = this.run.value()?.metrics['walletBalance'];
    return isDecimal(value) ? value : null;
  });
  protected readonly metricEntries = computed(() =>
    Object.entries(this.run.value()?.metrics ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  );
  protected readonly extraEntries = computed(() =>
    Object.entries(this.run.value()?.extra ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  );
  protected readonly markets = computed(() => {
    const groups = new Map<
      string,
      { key: string; asset: string; window: string; conditionId: string | null; count: number }
    >();
    for (const t of this.trades.value() ?? []) {
      const key = `${t.asset}|${t.windowDuration}|${t.conditionId ?? ''}`;
      const g = groups.get(key) ?? {
        key,
        asset: t.asset,
        window: t.windowDuration,
        conditionId: t.conditionId,
        count: 0,
      };
      g.count++;
      groups.set(key, g);
    }
    return [...groups.values()];
  });

  constructor() {
    effect(() => {
      this.runId();
      untracked(() => this.reload());
    });
    inject(LiveEvents).watch(['run.*', 'trade.*', 'analysis.completed', 'stream.connected'], (events) => {
      const mine = events.some(
        (e) =>
          e.name === 'poll' ||
          e.name === 'stream.connected' ||
          (e.data as { runId?: number } | null)?.runId === this.runId() ||
          !(e.data as { runId?: number } | null)?.runId,
      );
      if (mine) this.reload();
    });
  }

  protected reload(): void {
    void this.run.reload();
    void this.points.reload();
    void this.trades.reload();
  }
}
