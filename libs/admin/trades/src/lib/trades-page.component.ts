import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { AdminApi, LiveEvents, TradeFilter, TradeSide, TradeStatus, apiErrorMessage, createLoader } from '@polymaker/admin/data-access';
import { AsyncStateComponent, DecimalPipe, IconComponent, MoneyComponent, StatusBadgeComponent, TimePipe } from '@polymaker/admin/ui';
import { localInputToIso, saveBlob, sumDecimals } from '@polymaker/admin/util';

type SortKey = NonNullable<TradeFilter['sort']>;

interface FilterForm {
  runId: number | null;
  asset: string;
  window: string;
  side: TradeSide | '';
  outcome: string;
  status: TradeStatus | '';
  strategy: string;
  from: string;
  to: string;
}

const EMPTY: FilterForm = { runId: null, asset: '', window: '', side: '', outcome: '', status: '', strategy: '', from: '', to: '' };

/**
 * Trade explorer over the server's keyset paging: filters and sorting run in the database, so it stays
 * fast with millions of rows; Previous walks back through the cursors already seen.
 */
@Component({
  selector: 'pm-trades-page',
  imports: [FormsModule, RouterLink, AsyncStateComponent, DecimalPipe, IconComponent, MoneyComponent, StatusBadgeComponent, TimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div><h1>Trades</h1><p>Filter, sort and page through every trade; export the current filter as CSV.</p></div>
      <div class="toolbar">
        <button type="button" (click)="exportCsv()" [disabled]="exporting()" data-testid="export-csv"><pm-icon name="download" /> {{ exporting() ? 'Exporting…' : 'Export CSV' }}</button>
      </div>
    </div>
    @if (exportError(); as message) {
      <div class="alert bad" role="alert">{{ message }}</div>
    }
    <form class="filters card" (ngSubmit)="apply()" aria-label="Filter trades" data-testid="trade-filters">
      <div class="field"><label for="t-run">Run</label><input id="t-run" name="runId" type="number" min="1" [(ngModel)]="form.runId" /></div>
      <div class="field"><label for="t-asset">Asset</label><input id="t-asset" name="asset" placeholder="BTC" [(ngModel)]="form.asset" /></div>
      <div class="field"><label for="t-window">Window</label><input id="t-window" name="window" placeholder="15m" [(ngModel)]="form.window" /></div>
      <div class="field"><label for="t-side">Side</label><select id="t-side" name="side" [(ngModel)]="form.side"><option value="">Any</option><option value="buy">buy</option><option value="sell">sell</option></select></div>
      <div class="field"><label for="t-outcome">Outcome</label><input id="t-outcome" name="outcome" placeholder="Up" [(ngModel)]="form.outcome" /></div>
      <div class="field"><label for="t-status">Status</label>
        <select id="t-status" name="status" [(ngModel)]="form.status"><option value="">Any</option><option value="placed">placed</option><option value="filled">filled</option><option value="cancelled">cancelled</option><option value="failed">failed</option></select>
      </div>
      <div class="field"><label for="t-strategy">Strategy</label><input id="t-strategy" name="strategy" placeholder="MM" [(ngModel)]="form.strategy" /></div>
      <div class="field"><label for="t-from">From</label><input id="t-from" name="from" type="datetime-local" [(ngModel)]="form.from" /></div>
      <div class="field"><label for="t-to">Before</label><input id="t-to" name="to" type="datetime-local" [(ngModel)]="form.to" /></div>
      <div class="field"><label for="t-size">Rows per page</label><select id="t-size" name="limit" [(ngModel)]="limit"><option [ngValue]="50">50</option><option [ngValue]="100">100</option><option [ngValue]="500">500</option></select></div>
      <div class="toolbar"><button type="submit" class="primary" data-testid="apply-filters">Apply</button><button type="button" (click)="reset()">Reset</button></div>
    </form>
    <pm-async-state what="trades" [pending]="page.pending()" [error]="page.error()" (retry)="page.reload()" [empty]="rows().length === 0" emptyText="No trade matches these filters.">
      <p class="muted summary" aria-live="polite" data-testid="trades-summary">
        Page {{ cursors().length + 1 }} · {{ rows().length }} trades · realised P&amp;L on this page <pm-money [value]="pagePnl()" [signed]="true" />
        @if (page.loading()) { · refreshing… }
      </p>
      <div class="table-wrap">
        <table class="data" data-testid="trades-table">
          <caption class="sr-only">Trades; sortable by id, price, size and cycle</caption>
          <thead>
            <tr>
              @for (c of columns; track c.label) {
                @if (c.sort) {
                  <th scope="col" [class.num]="c.num" [attr.aria-sort]="ariaSort(c.sort)"><button type="button" class="sort" (click)="sortBy(c.sort)">{{ c.label }} {{ arrow(c.sort) }}</button></th>
                } @else {
                  <th scope="col" [class.num]="c.num">{{ c.label }}</th>
                }
              }
            </tr>
          </thead>
          <tbody>
            @for (t of rows(); track t.id) {
              <tr data-testid="trade-row">
                <td>{{ t.id }}</td>
                <td>{{ t.createdAt | pmTime }}</td>
                <td><a [routerLink]="['/runs', t.runId]">#{{ t.runId }}</a></td>
                <td class="num">{{ t.cycle }}</td>
                <td>{{ t.asset }}</td>
                <td>{{ t.windowDuration }}</td>
                <td>{{ t.side }}</td>
                <td>{{ t.outcome }}</td>
                <td class="num">{{ t.price | pmDecimal: 4 }}</td>
                <td class="num">{{ t.size | pmDecimal: 2 }}</td>
                <td><pm-status-badge [status]="t.status" /></td>
                <td class="num">{{ t.fillPrice | pmDecimal: 4 }}</td>
                <td class="num"><pm-money [value]="t.pnl" [signed]="true" /></td>
                <td>{{ t.strategy ?? '—' }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    </pm-async-state>
    <nav class="toolbar pager" aria-label="Trade pages">
      <button type="button" (click)="first()" [disabled]="cursors().length === 0">First</button>
      <button type="button" (click)="previous()" [disabled]="cursors().length === 0" data-testid="prev-page">Previous</button>
      <button type="button" (click)="next()" [disabled]="!page.value()?.nextCursor" data-testid="next-page">Next</button>
    </nav>
  `,
  styles: `.pager { justify-content: flex-end; margin-top: 0.5rem; } .summary { margin: 0 0 0.5rem; }`,
})
export class TradesPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  /** ?runId= from a link (run page) */
  readonly runId = input<string | undefined>();

  protected readonly columns: Array<{ label: string; sort?: SortKey; num?: boolean }> = [
    { label: 'Id', sort: 'id' },
    { label: 'Time' },
    { label: 'Run' },
    { label: 'Cycle', sort: 'cycle', num: true },
    { label: 'Asset' },
    { label: 'Window' },
    { label: 'Side' },
    { label: 'Outcome' },
    { label: 'Price', sort: 'price', num: true },
    { label: 'Size', sort: 'size', num: true },
    { label: 'Status' },
    { label: 'Fill price', num: true },
    { label: 'Realised P&L', num: true },
    { label: 'Strategy' },
  ];
  protected form: FilterForm = { ...EMPTY };
  protected limit = 100;
  private readonly filter = signal<TradeFilter>({ limit: 100 });
  private readonly sort = signal<{ sort: SortKey; order: 'asc' | 'desc' }>({ sort: 'id', order: 'desc' });
  /** Cursors of the pages before the current one; the current page's cursor is `cursor`. */
  protected readonly cursors = signal<Array<string | null>>([]);
  private readonly cursor = signal<string | null>(null);
  protected readonly exporting = signal(false);
  protected readonly exportError = signal<string | null>(null);
  private initialised = false;

  protected readonly page = createLoader(() => this.api.listTrades({ ...this.filter(), ...this.sort() }, this.cursor()), { immediate: false });
  protected readonly rows = computed(() => this.page.value()?.items ?? []);
  protected readonly pagePnl = computed(() => sumDecimals(this.rows().map((t) => t.pnl)));

  constructor() {
    // New trades only matter on the first page (newest first); later pages stay put while reading.
    inject(LiveEvents).watch(['trade.*', 'stream.connected'], () => {
      if (this.cursors().length === 0) void this.page.reload();
    }, 750);
    queueMicrotask(() => this.init());
  }

  private init(): void {
    if (this.initialised) return;
    this.initialised = true;
    const runId = Number(this.runId());
    if (runId > 0) this.form.runId = runId;
    this.apply();
  }

  private currentFilter(): TradeFilter {
    const f = this.form;
    return {
      runId: f.runId,
      asset: f.asset,
      window: f.window,
      side: f.side,
      outcome: f.outcome,
      status: f.status,
      strategy: f.strategy,
      from: localInputToIso(f.from),
      to: localInputToIso(f.to),
      limit: this.limit,
    };
  }

  protected apply(): void {
    this.filter.set(this.currentFilter());
    const runId = this.form.runId;
    void this.router.navigate([], { queryParams: { runId: runId || null }, queryParamsHandling: 'merge', replaceUrl: true });
    this.first();
  }

  protected reset(): void {
    this.form = { ...EMPTY };
    this.apply();
  }

  protected sortBy(key: SortKey): void {
    const s = this.sort();
    this.sort.set({ sort: key, order: s.sort === key && s.order === 'desc' ? 'asc' : 'desc' });
    this.first();
  }

  protected ariaSort(key: SortKey): string {
    const s = this.sort();
    return s.sort === key ? (s.order === 'asc' ? 'ascending' : 'descending') : 'none';
  }

  protected arrow(key: SortKey): string {
    const s = this.sort();
    return s.sort === key ? (s.order === 'asc' ? '▲' : '▼') : '';
  }

  protected first(): void {
    this.cursors.set([]);
    this.cursor.set(null);
    void this.page.reload();
  }

  protected next(): void {
    const nextCursor = this.page.value()?.nextCursor;
    if (!nextCursor) return;
    this.cursors.set([...this.cursors(), this.cursor()]);
    this.cursor.set(nextCursor);
    void this.page.reload();
  }

  protected previous(): void {
    const stack = this.cursors();
    if (!stack.length) return;
    this.cursor.set(stack[stack.length - 1]);
    this.cursors.set(stack.slice(0, -1));
    void this.page.reload();
  }

  protected async exportCsv(): Promise<void> {
    this.exporting.set(true);
    this.exportError.set(null);
    try {
      const { blob, filename } = await this.api.downloadTradesCsv({ ...this.filter(), ...this.sort() });
      saveBlob(blob, filename);
    } catch (error) {
      this.exportError.set(apiErrorMessage(error));
    } finally {
      this.exporting.set(false);
    }
  }
}
