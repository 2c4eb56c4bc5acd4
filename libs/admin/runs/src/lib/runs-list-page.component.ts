import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import {
  AdminApi,
  LiveEvents,
  RunFilter,
  RunMode,
  RunStatus,
  createLoader,
} from '@polymaker/admin/data-access';
import {
  AgoPipe,
  AsyncStateComponent,
  DurationPipe,
  IconComponent,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
  createSorter,
  injectNow,
} from '@polymaker/admin/ui';
import { localInputToIso } from '@polymaker/admin/util';

const PAGE = 50;

@Component({
  selector: 'pm-runs-list-page',
  imports: [
    FormsModule,
    RouterLink,
    AsyncStateComponent,
    IconComponent,
    MoneyComponent,
    StatusBadgeComponent,
    AgoPipe,
    DurationPipe,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Runs</h1>
        <p>Every bot session, newest first. Tick two to compare them side by side.</p>
      </div>
      <div class="toolbar">
        <button
          type="button"
          [disabled]="selected().length !== 2"
          (click)="compare()"
          data-testid="compare-runs"
        >
          <pm-icon name="compare" /> Compare {{ selected().length }}/2
        </button>
      </div>
    </div>
    <form class="filters card" (ngSubmit)="apply()" aria-label="Filter runs">
      <div class="field">
        <label for="run-status">Status</label>
        <select id="run-status" name="status" [(ngModel)]="form.status">
          <option value="">Any</option>
          @for (s of statuses; track s) {
            <option [value]="s">{{ s }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="run-mode">Mode</label>
        <select id="run-mode" name="mode" [(ngModel)]="form.mode">
          <option value="">Any</option>
          <option value="dry_run">dry run</option>
          <option value="live">live</option>
        </select>
      </div>
      <div class="field">
        <label for="run-bot">Bot</label>
        <select id="run-bot" name="botId" [(ngModel)]="form.botId" data-testid="run-bot-filter">
          <option [ngValue]="null">Any</option>
          @for (b of bots.value() ?? []; track b.botId) {
            <option [ngValue]="b.botId">{{ b.name }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="run-config">Config version</label
        ><input id="run-config" name="configId" type="number" min="1" [(ngModel)]="form.configId" />
      </div>
      <div class="field">
        <label for="run-from">Started from</label
        ><input id="run-from" name="from" type="datetime-local" [(ngModel)]="form.from" />
      </div>
      <div class="field">
        <label for="run-to">Started before</label
        ><input id="run-to" name="to" type="datetime-local" [(ngModel)]="form.to" />
      </div>
      <div class="toolbar">
        <button type="submit" class="primary">Apply</button
        ><button type="button" (click)="reset()">Reset</button>
      </div>
    </form>
    <pm-async-state
      what="runs"
      [pending]="runs.pending()"
      [error]="runs.error()"
      (retry)="runs.reload()"
      [empty]="rows().length === 0"
      emptyText="No run matches these filters."
    >
      <div class="table-wrap">
        <table class="data" data-testid="runs-table">
          <caption class="sr-only">
            Runs, sortable by column
          </caption>
          <thead>
            <tr>
              <th scope="col"><span class="sr-only">Select to compare</span></th>
              @for (c of columns; track c.key) {
                <th
                  scope="col"
                  [class.num]="c.num"
                  [attr.aria-sort]="sorter.ariaSort(c.key)"
                  [attr.title]="c.title ?? null"
                >
                  <button type="button" class="sort" (click)="sorter.toggle(c.key)">
                    {{ c.label }} {{ sorter.arrow(c.key) }}
                  </button>
                </th>
              }
              <th scope="col">Last update</th>
            </tr>
          </thead>
          <tbody>
            @for (run of sorter.rows(); track run.id) {
              <tr>
                <td>
                  <input
                    type="checkbox"
                    [checked]="selected().includes(run.id)"
                    (change)="toggle(run.id)"
                    [attr.aria-label]="'Select run ' + run.id + ' to compare'"
                  />
                </td>
                <td>
                  <a [routerLink]="[run.id]">#{{ run.id }}</a>
                </td>
                <td data-testid="run-bot">{{ botName(run.botId) }}</td>
                <td><pm-status-badge [status]="run.status" /></td>
                <td><pm-status-badge [status]="run.mode" /></td>
                <td>{{ run.configId ? 'v' + run.configId : '—' }}</td>
                <td>{{ run.startedAt | pmTime }}</td>
                <td class="num">{{ run.durationSeconds | pmDuration }}</td>
                <td class="num">{{ run.totalFills ?? '—' }}/{{ run.totalOrders ?? '—' }}</td>
                <td class="num"><pm-money [value]="run.totalPnl" [signed]="true" /></td>
                <td class="num">{{ run.overallScore ?? '—' }}</td>
                <td>{{ run.lastUpdateAt | pmAgo: now() }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      <div class="toolbar pager">
        <span class="muted"
          >{{ offset() + 1 }}–{{ offset() + rows().length }} of {{ runs.value()?.total ?? 0 }}</span
        >
        <button type="button" [disabled]="offset() === 0" (click)="page(-1)">Previous</button>
        <button
          type="button"
          [disabled]="offset() + rows().length >= (runs.value()?.total ?? 0)"
          (click)="page(1)"
        >
          Next
        </button>
      </div>
    </pm-async-state>
  `,
  styles: `
    .pager {
      justify-content: flex-end;
      margin-top: 0.5rem;
    }
  `,
})
export class RunsListPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  protected readonly now = injectNow(5000);
  protected readonly statuses: RunStatus[] = ['running', 'completed', 'stopped', 'error', 'stale'];
  protected readonly columns = [
    { key: 'id', label: 'Run', num: false },
    { key: 'botId', label: 'Bot', num: false },
    { key: 'status', label: 'Status', num: false },
    { key: 'mode', label: 'Mode', num: false },
    { key: 'configId', label: 'Config', num: false },
    { key: 'startedAt', label: 'Started', num: false },
    { key: 'durationSeconds', label: 'Duration', num: true },
    { key: 'totalFills', label: 'Fills/orders', num: true },
    {
      key: 'totalPnl',
      label: 'Reported P&L',
      num: true,
      title: 'As the bot reports it (may include unrealised value)',
    },
    { key: 'overallScore', label: 'Score', num: true },
  ];
  protected form: {
    status: RunStatus | '';
    mode: RunMode | '';
    botId: number | null;
    configId: number | null;
    from: string;
    to: string;
  } = { status: '', mode: '', botId: initialBot(), configId: null, from: '', to: '' };
  private readonly filter = signal<RunFilter>({ botId: this.form.botId });
  /** One name per bot, as on the Bots page. */
  protected readonly bots = createLoader(() => this.api.listBots());
  private readonly botNames = computed(
    () => new Map((this.bots.value() ?? []).map((b) => [b.botId, b.name])),
  );
  protected readonly offset = signal(0);
  protected readonly selected = signal<number[]>([]);
  protected readonly runs = createLoader(() =>
    this.api.listRuns({ ...this.filter(), limit: PAGE, offset: this.offset() }),
  );
  protected readonly rows = computed(() => this.runs.value()?.items ?? []);
  protected readonly sorter = createSorter(this.rows, 'id', 'desc');

  constructor() {
    inject(LiveEvents).watch(['run.*', 'stream.connected'], () => void this.runs.reload(), 500);
  }

  protected apply(): void {
    this.filter.set({
      status: this.form.status,
      mode: this.form.mode,
      botId: this.form.botId,
      configId: this.form.configId,
      from: localInputToIso(this.form.from),
      to: localInputToIso(this.form.to),
    });
    this.offset.set(0);
    void this.router.navigate([], {
      queryParams: { bot: this.form.botId ?? null },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
    void this.runs.reload();
  }

  protected reset(): void {
    this.form = { status: '', mode: '', botId: null, configId: null, from: '', to: '' };
    this.apply();
  }

  protected page(direction: 1 | -1): void {
    this.offset.set(Math.max(0, this.offset() + direction * PAGE));
    void this.runs.reload();
  }

  protected botName(botId: number | null): string {
    return botId === null ? '—' : (this.botNames().get(botId) ?? `bot #${botId}`);
  }

  protected toggle(id: number): void {
    const current = this.selected();
    this.selected.set(current.includes(id) ? current.filter((x) => x !== id) : [...current, id].slice(-2));
  }

  protected compare(): void {
    const [a, b] = this.selected();
    void this.router.navigate(['/runs/compare'], { queryParams: { a, b } });
  }
}

/** `/runs?bot=3` opens the runs of one bot (the Bots page links there). */
function initialBot(): number | null {
  const value = Number(inject(ActivatedRoute).snapshot.queryParamMap.get('bot'));
  return Number.isInteger(value) && value > 0 ? value : null;
}
