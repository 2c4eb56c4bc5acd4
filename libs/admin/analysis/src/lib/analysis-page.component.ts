import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { AdminApi, LiveEvents, createLoader } from '@polymaker/admin/data-access';
import {
  AsyncStateComponent,
  ChartComponent,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
} from '@polymaker/admin/ui';
import { bestGroup, scoreSeries } from './score-stats';

/** The ranges the versions table offers (days up to now); `?days=` in the URL. */
const RANGES = [7, 30, 90] as const;
const DEFAULT_DAYS = 30;

/**
 * Config versions by the time they really ran (GET /api/v1/analyses/versions), analysis scores over
 * time (GET /api/v1/analyses) and finished runs by the version they started with (/analyses/compare).
 */
@Component({
  selector: 'pm-analysis-page',
  imports: [
    FormsModule,
    RouterLink,
    AsyncStateComponent,
    ChartComponent,
    MoneyComponent,
    StatusBadgeComponent,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Analysis</h1>
        <p>
          Config versions by the time they really ran, and how runs scored (0–100): did the suggested versions
          do better?
        </p>
      </div>
    </div>
    <form class="filters card" aria-label="Filter analyses">
      <div class="field">
        <label for="an-bot">Bot</label>
        <select
          id="an-bot"
          name="botId"
          [ngModel]="botId()"
          (ngModelChange)="chooseBot($event)"
          data-testid="analysis-bot-filter"
        >
          <option [ngValue]="null">Any</option>
          @for (b of botChoices(); track b.botId) {
            <option [ngValue]="b.botId">{{ b.name }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="an-days">Versions over</label>
        <select
          id="an-days"
          name="days"
          [ngModel]="days()"
          (ngModelChange)="chooseDays($event)"
          data-testid="analysis-days"
        >
          @for (d of ranges; track d) {
            <option [ngValue]="d">{{ d }} days</option>
          }
        </select>
      </div>
      @if (badBot(); as bad) {
        <p class="muted" role="status">bot "{{ bad }}" is not an id: showing every bot.</p>
      }
    </form>
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Time under each version</h2>
      <p class="muted small">
        Each run is cut where its bot picked up another version at a poll: a version's hours, runs, trades and
        P&amp;L are those it really ran in the last {{ days() }} days. Paused time is counted apart and not in
        the hours.
      </p>
      <pm-async-state
        what="the versions"
        [pending]="versionTime.pending()"
        [error]="versionTime.error()"
        (retry)="versionTime.reload()"
        [empty]="versionRows().length === 0"
        [emptyText]="
          botId() === null
            ? 'No run in the last ' + days() + ' days.'
            : 'No run of this bot in the last ' + days() + ' days.'
        "
      >
        <div class="table-wrap">
          <table class="data" data-testid="versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col" class="num">Hours</th>
                <th scope="col" class="num">Runs</th>
                <th scope="col" class="num">Realised P&amp;L</th>
                <th scope="col" class="num">P&amp;L per hour</th>
                <th scope="col" class="num">Fill rate</th>
                <th scope="col" class="num">Max drawdown</th>
                <th scope="col" class="num">Score</th>
              </tr>
            </thead>
            <tbody>
              @for (v of versionRows(); track v.configId) {
                <tr data-testid="version-row" [attr.data-config]="v.configId">
                  <td>
                    @if (v.configId) {
                      <a [routerLink]="['/configs', v.configId]">v{{ v.configId }}</a>
                    } @else {
                      none
                    }
                    <br /><span class="muted small">{{ v.configNote ?? '' }}</span>
                  </td>
                  <td class="num" data-testid="version-hours">
                    {{ hours(v.hours) }}
                    @if (v.pausedHours > 0) {
                      <br /><span class="muted small" data-testid="version-paused"
                        >+ {{ hours(v.pausedHours) }} paused</span
                      >
                    }
                  </td>
                  <td class="num" data-testid="version-runs" [title]="v.segments + ' segments'">
                    {{ v.runs }}
                  </td>
                  <td class="num"><pm-money [value]="v.realisedPnl" [signed]="true" /></td>
                  <td class="num" data-testid="version-pnl-hour">
                    <pm-money [value]="v.pnlPerHour" [signed]="true" />
                  </td>
                  <td class="num">
                    {{ v.fillRate === null ? '—' : (v.fillRate * 100).toFixed(1) + ' %' }}<br /><span
                      class="muted small"
                      >{{ v.fills }} of {{ v.orders }}</span
                    >
                  </td>
                  <td class="num"><pm-money [value]="v.maxDrawdown" /></td>
                  <td class="num">
                    <strong>{{ v.score ?? '—' }}</strong>
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        @if (versionTime.value()?.truncated) {
          <p class="muted small" role="status">
            More runs ran than one answer counts: only the {{ versionTime.value()?.runs }} newest (started
            since {{ versionTime.value()?.coveredFrom | pmTime }}) are counted.
          </p>
        }
        <p class="muted small">
          Realised P&amp;L: the trades logged under the version (counted where they were placed, even when
          they resolved later); per hour of unpaused time. Drawdown: the largest fall of the P&amp;L the runs
          report, within one stretch under the version.
        </p>
      </pm-async-state>
    </section>
    <section class="card section">
      <h2>Overall score over time</h2>
      <pm-async-state
        what="analyses"
        [pending]="analyses.pending()"
        [error]="analyses.error()"
        (retry)="analyses.reload()"
        [empty]="false"
      >
        <pm-chart
          label="Overall score of each analysis by time, per config version"
          [series]="series()"
          emptyText="No run has been analysed yet. Runs are analysed when they stop, or on demand from a run's page."
        />
      </pm-async-state>
    </section>
    <section class="card section" aria-labelledby="latest-title">
      <h2 id="latest-title">Latest analyses</h2>
      <pm-async-state
        what="analyses"
        [pending]="analyses.pending()"
        [error]="analyses.error()"
        (retry)="analyses.reload()"
        [empty]="latest().length === 0"
        [emptyText]="
          botId() === null ? 'No run has been analysed yet.' : 'No analysis of this bot’s runs yet.'
        "
      >
        <div class="table-wrap">
          <table class="data" data-testid="analyses-table">
            <thead>
              <tr>
                <th scope="col">Analysis</th>
                <th scope="col">Run</th>
                <th scope="col">Bot</th>
                <th scope="col">Trigger</th>
                <th scope="col">State</th>
                <th scope="col">Config</th>
                <th scope="col" class="num">Score</th>
                <th scope="col">Analysed</th>
              </tr>
            </thead>
            <tbody>
              @for (a of latest(); track a.analysisId) {
                <tr data-testid="analysis-row">
                  <td>#{{ a.analysisId }}</td>
                  <td>
                    <a [routerLink]="['/runs', a.runId]">#{{ a.runId }}</a>
                  </td>
                  <td data-testid="analysis-bot">{{ botName(a.botId) }}</td>
                  <td>{{ a.trigger }}</td>
                  <td><pm-status-badge [status]="a.state" /></td>
                  <td>{{ a.configId ? 'v' + a.configId : '—' }}</td>
                  <td class="num">
                    <strong>{{ a.overallScore }}</strong>
                  </td>
                  <td>{{ a.analyzedAt | pmTime }}</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        @if ((analyses.value()?.total ?? 0) > latest().length) {
          <p class="muted small">
            The newest {{ latest().length }} of {{ analyses.value()?.total }}; the chart plots the newest
            {{ analyses.value()?.items?.length }}.
          </p>
        }
      </pm-async-state>
    </section>
    <section class="card section" aria-labelledby="per-version-title">
      <h2 id="per-version-title">Finished runs by the version they started with</h2>
      <pm-async-state
        what="the comparison"
        [pending]="compare.pending()"
        [error]="compare.error()"
        (retry)="compare.reload()"
        [empty]="groups().length === 0"
        emptyText="No finished run yet."
      >
        <div class="table-wrap">
          <table class="data" data-testid="scores-table">
            <thead>
              <tr>
                <th scope="col">Config</th>
                <th scope="col">Made from</th>
                <th scope="col" class="num">Runs</th>
                <th scope="col" class="num">Average score</th>
                <th scope="col" class="num">Fill rate</th>
                <th scope="col" class="num">Total P&amp;L</th>
                <th scope="col" class="num">Average P&amp;L</th>
                <th scope="col">Latest runs</th>
              </tr>
            </thead>
            <tbody>
              @for (g of groups(); track g.configId) {
                <tr [attr.data-config]="g.configId" [class.best]="g.configId === best()">
                  <td>
                    @if (g.configId) {
                      <a [routerLink]="['/configs', g.configId]">v{{ g.configId }}</a>
                    } @else {
                      none
                    }
                    @if (g.configId === best()) {
                      <pm-status-badge status="best" />
                    }
                    <br /><span class="muted small">{{ g.configNote ?? '' }}</span>
                  </td>
                  <td>
                    {{ g.configSource ?? '—' }}{{ g.basedOnId ? ' from v' + g.basedOnId : '' }}
                    @if (g.fromAnalysisId) {
                      <br /><span class="small" data-testid="from-analysis"
                        >analysis #{{ g.fromAnalysisId }}
                        @if (analysisRuns().get(g.fromAnalysisId); as runId) {
                          (<a [routerLink]="['/runs', runId]">run #{{ runId }}</a
                          >)
                        }
                      </span>
                    }
                  </td>
                  <td class="num">{{ g.runCount }}</td>
                  <td class="num">
                    <strong>{{ g.avgScore ?? '—' }}</strong>
                  </td>
                  <td class="num">
                    {{ g.avgFillRate === null ? '—' : (g.avgFillRate * 100).toFixed(1) + ' %' }}
                  </td>
                  <td class="num"><pm-money [value]="g.totalPnl" [signed]="true" /></td>
                  <td class="num"><pm-money [value]="g.avgPnl" [signed]="true" /></td>
                  <td class="runs">
                    @for (r of g.runs; track r.runId) {
                      <a [routerLink]="['/runs', r.runId]" [title]="(r.startedAt | pmTime) + ' · ' + r.status"
                        >#{{ r.runId }}</a
                      ><span class="muted small"> {{ r.overallScore ?? '—' }}</span
                      >{{ $last ? '' : ', ' }}
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        <p class="muted small">
          Finished runs only, each whole run under the version it started with (a run that picked up another
          version at a poll stays under its first: see "Time under each version" above). Apply suggestions
          from a run's page; the new version shows here once runs have used it.
        </p>
      </pm-async-state>
    </section>
  `,
  styles: `
    .section {
      margin-top: 1rem;
    }
    .small {
      font-size: 0.8rem;
    }
    tr.best td {
      background: var(--good-bg);
    }
    .runs {
      max-width: 30ch;
    }
  `,
})
export class AnalysisPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  /** `/analysis?bot=3`: one bot's analyses and runs (like the Runs page's filter). */
  protected readonly botId = signal<number | null>(null);
  /** A `bot` in the URL that is not an id (the page then shows every bot and says so). */
  protected readonly badBot = signal<string | null>(null);
  /** One name per bot, as on the Bots page. */
  protected readonly bots = createLoader(() => this.api.listBots());
  private readonly botNames = computed(
    () => new Map((this.bots.value() ?? []).map((b) => [b.botId, b.name])),
  );
  protected readonly botChoices = computed(() => {
    const bots = (this.bots.value() ?? []).map((b) => ({ botId: b.botId, name: b.name }));
    const current = this.botId();
    return current !== null && !bots.some((b) => b.botId === current)
      ? [...bots, { botId: current, name: `bot #${current}` }]
      : bots;
  });
  /** `/analysis?days=7`: the range of the versions table. */
  protected readonly days = signal<number>(DEFAULT_DAYS);
  protected readonly ranges = RANGES;
  protected readonly versionTime = createLoader(
    () =>
      this.api.versionTime({
        botId: this.botId(),
        from: new Date(Date.now() - this.days() * 86_400_000).toISOString(),
      }),
    { immediate: false },
  );
  protected readonly versionRows = computed(() => this.versionTime.value()?.versions ?? []);
  protected readonly analyses = createLoader(
    () => this.api.listAnalyses({ limit: 500, botId: this.botId() }),
    { immediate: false },
  );
  protected readonly compare = createLoader(() => this.api.compareConfigs(undefined, 5, this.botId()), {
    immediate: false,
  });
  protected readonly latest = computed(() => (this.analyses.value()?.items ?? []).slice(0, 20));
  protected readonly series = computed(() => scoreSeries(this.analyses.value()?.items ?? []));
  protected readonly groups = computed(() => this.compare.value()?.groups ?? []);
  protected readonly best = computed(() => bestGroup(this.groups()));
  protected readonly analysisRuns = computed(
    () => new Map((this.analyses.value()?.items ?? []).map((a) => [a.analysisId, a.runId] as const)),
  );

  constructor() {
    const subscription = this.route.queryParamMap.subscribe((params) => {
      const raw = params.get('bot');
      const value = raw !== null && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
      this.botId.set(value !== null && Number.isSafeInteger(value) ? value : null);
      this.badBot.set(raw !== null && raw !== '' && this.botId() === null ? raw : null);
      const days = Number(params.get('days'));
      this.days.set((RANGES as readonly number[]).includes(days) ? days : DEFAULT_DAYS);
      void this.versionTime.reload();
      void this.analyses.reload();
      void this.compare.reload();
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
    inject(LiveEvents).watch(
      ['run.stopped', 'analysis.completed', 'config.activated', 'fleet.changed', 'stream.connected'],
      () => {
        void this.versionTime.reload();
        void this.analyses.reload();
        void this.compare.reload();
      },
      1000,
    );
  }

  protected chooseBot(botId: number | null): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { bot: botId },
      queryParamsHandling: 'merge',
    });
  }

  protected chooseDays(days: number): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { days: days === DEFAULT_DAYS ? null : days },
      queryParamsHandling: 'merge',
    });
  }

  /** Hours to two places ("2.75 h"). */
  protected hours(value: number): string {
    return `${value.toFixed(2)} h`;
  }

  protected botName(botId: number | null): string {
    return botId === null ? '—' : (this.botNames().get(botId) ?? `bot #${botId}`);
  }
}
