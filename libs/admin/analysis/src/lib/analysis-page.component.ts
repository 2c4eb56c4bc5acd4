import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AdminApi, LiveEvents, createLoader } from '@polymaker/admin/data-access';
import { AsyncStateComponent, ChartComponent, MoneyComponent, StatusBadgeComponent, TimePipe } from '@polymaker/admin/ui';
import { bestGroup, scoreSeries } from './score-stats';

/** Analysis scores over time and per config version (GET /api/v1/analyses and /api/v1/analyses/compare). */
@Component({
  selector: 'pm-analysis-page',
  imports: [RouterLink, AsyncStateComponent, ChartComponent, MoneyComponent, StatusBadgeComponent, TimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head"><div><h1>Analysis</h1><p>How runs scored (0–100), over time and per config version: did the suggested versions do better?</p></div></div>
    <section class="card">
      <h2>Overall score over time</h2>
      <pm-async-state what="analyses" [pending]="analyses.pending()" [error]="analyses.error()" (retry)="analyses.reload()" [empty]="false">
        <pm-chart label="Overall score of each analysis by time, per config version" [series]="series()" emptyText="No run has been analysed yet. Runs are analysed when they stop, or on demand from a run's page." />
      </pm-async-state>
    </section>
    <section class="card section" aria-labelledby="per-version-title">
      <h2 id="per-version-title">Per config version</h2>
      <pm-async-state what="the comparison" [pending]="compare.pending()" [error]="compare.error()" (retry)="compare.reload()" [empty]="groups().length === 0" emptyText="No finished run yet.">
        <div class="table-wrap">
          <table class="data" data-testid="scores-table">
            <thead><tr><th scope="col">Config</th><th scope="col">Made from</th><th scope="col" class="num">Runs</th><th scope="col" class="num">Average score</th><th scope="col" class="num">Fill rate</th><th scope="col" class="num">Total P&amp;L</th><th scope="col" class="num">Average P&amp;L</th><th scope="col">Latest runs</th></tr></thead>
            <tbody>
              @for (g of groups(); track g.configId) {
                <tr [attr.data-config]="g.configId" [class.best]="g.configId === best()">
                  <td>@if (g.configId) { <a [routerLink]="['/configs', g.configId]">v{{ g.configId }}</a> } @else { none } @if (g.configId === best()) { <pm-status-badge status="best" /> }<br /><span class="muted small">{{ g.configNote ?? '' }}</span></td>
                  <td>{{ g.configSource ?? '—' }}{{ g.basedOnId ? ' from v' + g.basedOnId : '' }}
                    @if (g.fromAnalysisId) { <br /><span class="small" data-testid="from-analysis">analysis #{{ g.fromAnalysisId }} @if (analysisRuns().get(g.fromAnalysisId); as runId) { (<a [routerLink]="['/runs', runId]">run #{{ runId }}</a>) }</span> }
                  </td>
                  <td class="num">{{ g.runCount }}</td>
                  <td class="num"><strong>{{ g.avgScore ?? '—' }}</strong></td>
                  <td class="num">{{ g.avgFillRate === null ? '—' : (g.avgFillRate * 100).toFixed(1) + ' %' }}</td>
                  <td class="num"><pm-money [value]="g.totalPnl" [signed]="true" /></td>
                  <td class="num"><pm-money [value]="g.avgPnl" [signed]="true" /></td>
                  <td class="runs">
                    @for (r of g.runs; track r.runId) {
                      <a [routerLink]="['/runs', r.runId]" [title]="(r.startedAt | pmTime) + ' · ' + r.status">#{{ r.runId }}</a><span class="muted small"> {{ r.overallScore ?? '—' }}</span>{{ $last ? '' : ', ' }}
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        <p class="muted small">Finished runs only. Apply suggestions from a run's page; the new version shows here once runs have used it.</p>
      </pm-async-state>
    </section>
  `,
  styles: `
    .section { margin-top: 1rem; }
    .small { font-size: 0.8rem; }
    tr.best td { background: var(--good-bg); }
    .runs { max-width: 30ch; }
  `,
})
export class AnalysisPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly analyses = createLoader(() => this.api.listAnalyses({ limit: 500 }));
  protected readonly compare = createLoader(() => this.api.compareConfigs(undefined, 5));
  protected readonly series = computed(() => scoreSeries(this.analyses.value()?.items ?? []));
  protected readonly groups = computed(() => this.compare.value()?.groups ?? []);
  protected readonly best = computed(() => bestGroup(this.groups()));
  protected readonly analysisRuns = computed(() => new Map((this.analyses.value()?.items ?? []).map((a) => [a.analysisId, a.runId] as const)));

  constructor() {
    inject(LiveEvents).watch(['run.stopped', 'analysis.completed', 'config.activated', 'stream.connected'], () => {
      void this.analyses.reload();
      void this.compare.reload();
    }, 1000);
  }
}
