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
import { AdminApi, MetricPoint, RunDetail, createLoader, metricSeries } from '@polymaker/admin/data-access';
import {
  AsyncStateComponent,
  ChartComponent,
  DurationPipe,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
  ValuePipe,
} from '@polymaker/admin/ui';

interface Side {
  run: RunDetail;
  points: MetricPoint[];
}

/** Two runs side by side: their figures, every metric key, and P&L over elapsed time on one chart. */
@Component({
  selector: 'pm-run-compare-page',
  imports: [
    RouterLink,
    AsyncStateComponent,
    ChartComponent,
    MoneyComponent,
    StatusBadgeComponent,
    DurationPipe,
    TimePipe,
    ValuePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/runs">← Runs</a></p>
    <h1>Compare runs</h1>
    <pm-async-state
      what="the runs"
      [pending]="data.pending()"
      [error]="data.error()"
      (retry)="data.reload()"
      [empty]="!data.value()"
    >
      @if (data.value(); as d) {
        <section class="card section">
          <h2>Reported P&amp;L by elapsed time <span class="muted small">may include unrealised</span></h2>
          <pm-chart
            label="P&L of both runs by time since start"
            unit="USDC"
            axis="elapsed"
            [series]="overlay()"
          />
        </section>
        <div class="table-wrap section">
          <table class="data" data-testid="compare-table">
            <thead>
              <tr>
                <th scope="col">Figure</th>
                <th scope="col">
                  <a [routerLink]="['/runs', d[0].run.id]">Run #{{ d[0].run.id }}</a>
                </th>
                <th scope="col">
                  <a [routerLink]="['/runs', d[1].run.id]">Run #{{ d[1].run.id }}</a>
                </th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Status</th>
                <td><pm-status-badge [status]="d[0].run.status" /></td>
                <td><pm-status-badge [status]="d[1].run.status" /></td>
              </tr>
              <tr>
                <th scope="row">Mode</th>
                <td><pm-status-badge [status]="d[0].run.mode" /></td>
                <td><pm-status-badge [status]="d[1].run.mode" /></td>
              </tr>
              <tr>
                <th scope="row">Config</th>
                <td>{{ d[0].run.configId ? 'v' + d[0].run.configId : '—' }}</td>
                <td>{{ d[1].run.configId ? 'v' + d[1].run.configId : '—' }}</td>
              </tr>
              <tr>
                <th scope="row">Started</th>
                <td>{{ d[0].run.startedAt | pmTime }}</td>
                <td>{{ d[1].run.startedAt | pmTime }}</td>
              </tr>
              <tr>
                <th scope="row">Duration</th>
                <td>{{ d[0].run.durationSeconds | pmDuration }}</td>
                <td>{{ d[1].run.durationSeconds | pmDuration }}</td>
              </tr>
              <tr>
                <th scope="row">Reported P&amp;L</th>
                <td><pm-money [value]="d[0].run.totalPnl" [signed]="true" /></td>
                <td><pm-money [value]="d[1].run.totalPnl" [signed]="true" /></td>
              </tr>
              <tr>
                <th scope="row">Trades</th>
                <td>{{ d[0].run.tradeCount }}</td>
                <td>{{ d[1].run.tradeCount }}</td>
              </tr>
              <tr>
                <th scope="row">Score</th>
                <td>{{ d[0].run.overallScore ?? '—' }}</td>
                <td>{{ d[1].run.overallScore ?? '—' }}</td>
              </tr>
              @for (k of keys(); track k) {
                <tr [class.differs]="differs(k)">
                  <th scope="row">
                    <code>{{ k }}</code>
                  </th>
                  <td>{{ d[0].run.metrics[k] ?? d[0].run.extra[k] | pmValue }}</td>
                  <td>{{ d[1].run.metrics[k] ?? d[1].run.extra[k] | pmValue }}</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
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
    tr.differs td {
      font-weight: 600;
    }
    th[scope='row'] {
      background: none;
      color: var(--muted);
      font-weight: 500;
    }
  `,
})
export class RunComparePageComponent {
  private readonly api = inject(AdminApi);
  readonly a = input.required<string>();
  readonly b = input.required<string>();

  protected readonly data = createLoader<[Side, Side]>(
    async () => {
      const load = async (id: number): Promise<Side> => {
        const [run, points] = await Promise.all([this.api.getRun(id), this.api.getRunMetrics(id)]);
        return { run, points };
      };
      return Promise.all([load(Number(this.a())), load(Number(this.b()))]);
    },
    { immediate: false },
  );

  protected readonly keys = computed(() => {
    const d = this.data.value();
    if (!d) return [];
    const set = new Set<string>();
    for (const side of d)
      for (const k of [...Object.keys(side.run.metrics ?? {}), ...Object.keys(side.run.extra ?? {})])
        set.add(k);
    return [...set].sort();
  });

  protected readonly overlay = computed(() =>
    (this.data.value() ?? []).map((side) => {
      const start = Date.parse(side.run.startedAt);
      return {
        name: `Run #${side.run.id}`,
        points: metricSeries(side.points, 'totalPnl').map(([t, v]) => [t - start, v] as [number, number]),
      };
    }),
  );

  constructor() {
    effect(() => {
      this.a();
      this.b();
      untracked(() => void this.data.reload());
    });
  }

  protected differs(key: string): boolean {
    const d = this.data.value();
    if (!d) return false;
    const value = (s: Side) => JSON.stringify(s.run.metrics?.[key] ?? s.run.extra?.[key] ?? null);
    return value(d[0]) !== value(d[1]);
  }
}
