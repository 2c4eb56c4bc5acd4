import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AdminApi, LiveEvents, createLoader } from '@polymaker/admin/data-access';
import { AsyncStateComponent, ChartComponent, MoneyComponent } from '@polymaker/admin/ui';
import { scoresByVersion } from './score-stats';

/** Analysis scores over time and per config version (from each run's analysis at stop). */
@Component({
  selector: 'pm-analysis-page',
  imports: [RouterLink, AsyncStateComponent, ChartComponent, MoneyComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head"><div><h1>Analysis</h1><p>How each run scored (0–100) when it stopped, over time and per config version.</p></div></div>
    <pm-async-state what="runs" [pending]="runs.pending()" [error]="runs.error()" (retry)="runs.reload()" [empty]="items().length === 0" emptyText="No runs yet. Scores appear when runs stop and are analysed.">
      <section class="card">
        <h2>Overall score over time</h2>
        <pm-chart label="Overall score of each analysed run by start time" [series]="scoreSeries()" emptyText="No run has been analysed yet." />
      </section>
      <section class="card section" aria-labelledby="per-version-title">
        <h2 id="per-version-title">Per config version</h2>
        <div class="table-wrap">
          <table class="data" data-testid="scores-table">
            <thead><tr><th scope="col">Config</th><th scope="col" class="num">Runs</th><th scope="col" class="num">Analysed</th><th scope="col" class="num">Average score</th><th scope="col" class="num">Best</th><th scope="col" class="num">Worst</th><th scope="col" class="num">Total P&amp;L</th></tr></thead>
            <tbody>
              @for (v of perVersion(); track v.configId) {
                <tr>
                  <td>@if (v.configId) { <a [routerLink]="['/configs', v.configId]">v{{ v.configId }}</a> } @else { none }</td>
                  <td class="num"><a [routerLink]="['/runs']">{{ v.runs }}</a></td>
                  <td class="num">{{ v.scored }}</td>
                  <td class="num"><strong>{{ v.average ?? '—' }}</strong></td>
                  <td class="num">{{ v.best ?? '—' }}</td>
                  <td class="num">{{ v.worst ?? '—' }}</td>
                  <td class="num"><pm-money [value]="v.totalPnl" [signed]="true" /></td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        <p class="muted">Suggestions from an analysis are shown on its run's page.</p>
      </section>
    </pm-async-state>
  `,
  styles: `.section { margin-top: 1rem; }`,
})
export class AnalysisPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly runs = createLoader(() => this.api.listRuns({ limit: 500 }));
  protected readonly items = computed(() => this.runs.value()?.items ?? []);
  protected readonly perVersion = computed(() => scoresByVersion(this.items()));
  protected readonly scoreSeries = computed(() => {
    const byVersion = new Map<string, Array<[number, number]>>();
    for (const r of this.items()) {
      if (typeof r.overallScore !== 'number') continue;
      const name = r.configId ? `v${r.configId}` : 'no config';
      byVersion.set(name, [...(byVersion.get(name) ?? []), [Date.parse(r.startedAt), r.overallScore]]);
    }
    return [...byVersion.entries()].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]), kind: 'scatter' as const }));
  });

  constructor() {
    inject(LiveEvents).watch(['run.stopped', 'analysis.*', 'stream.connected'], () => void this.runs.reload(), 1000);
  }
}
