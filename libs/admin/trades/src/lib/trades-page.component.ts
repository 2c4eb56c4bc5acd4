import {
  ChangeDetectionStrategy,
  ChangeDetectorRef,
  Component,
  DestroyRef,
  computed,
  inject,
  signal,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, ParamMap, Router, RouterLink } from '@angular/router';
import { AdminApi, LiveEvents, TradePage, apiErrorMessage, createLoader } from '@polymaker/admin/data-access';
import {
  AsyncStateComponent,
  DecimalPipe,
  IconComponent,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
} from '@polymaker/admin/ui';
import { localInputToIso, saveBlob, sumDecimals } from '@polymaker/admin/util';
import {
  DEFAULT_VIEW,
  PAGE_SIZES,
  TRADE_OUTCOMES,
  TRADE_SIDES,
  TRADE_STATUSES,
  TradeQuery,
  TradeSort,
  choicesWith,
  isoToLocalInput,
  readTradeUrl,
  tradeFilterOf,
  tradeUrlParams,
} from './trade-url';

/** The form: the query with the dates as the browser's local date-time inputs. */
type FilterForm = Omit<TradeQuery, 'from' | 'to' | 'sort' | 'order'> & { from: string; to: string };

const EMPTY_PAGE: TradePage = { items: [], nextCursor: null };

/**
 * Trade explorer over the server's keyset paging: filters and sorting run in the database, so it stays
 * fast with millions of rows; Previous walks back through the cursors already seen.
 */
@Component({
  selector: 'pm-trades-page',
  imports: [
    FormsModule,
    RouterLink,
    AsyncStateComponent,
    DecimalPipe,
    IconComponent,
    MoneyComponent,
    StatusBadgeComponent,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Trades</h1>
        <p>Filter, sort and page through every trade; export the current filter as CSV.</p>
      </div>
      <div class="toolbar">
        <button type="button" (click)="exportCsv()" [disabled]="exporting()" data-testid="export-csv">
          <pm-icon name="download" /> {{ exporting() ? 'Exporting…' : 'Export CSV' }}
        </button>
      </div>
    </div>
    @if (exportError(); as message) {
      <div class="alert bad" role="alert">{{ message }}</div>
    }
    <form class="filters card" (ngSubmit)="apply()" aria-label="Filter trades" data-testid="trade-filters">
      <div class="field">
        <label for="t-run">Run</label
        ><input id="t-run" name="runId" type="number" min="1" [(ngModel)]="form.runId" />
      </div>
      <div class="field">
        <label for="t-bot">Bot</label>
        <select
          id="t-bot"
          name="botId"
          [ngModel]="form.botId"
          (ngModelChange)="choose('botId', $event)"
          data-testid="trade-bot-filter"
        >
          <option [ngValue]="null">Any</option>
          @for (b of botChoices(); track b.botId) {
            <option [ngValue]="b.botId">{{ b.name }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-asset">Asset</label>
        <select id="t-asset" name="asset" [ngModel]="form.asset" (ngModelChange)="choose('asset', $event)">
          <option value="">Any</option>
          @for (v of choices().assets; track v) {
            <option [value]="v">{{ v }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-window">Window</label>
        <select
          id="t-window"
          name="window"
          [ngModel]="form.window"
          (ngModelChange)="choose('window', $event)"
        >
          <option value="">Any</option>
          @for (v of choices().windows; track v) {
            <option [value]="v">{{ v }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-side">Side</label>
        <select id="t-side" name="side" [ngModel]="form.side" (ngModelChange)="choose('side', $event)">
          <option value="">Any</option>
          @for (v of sides; track v) {
            <option [value]="v">{{ v }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-outcome">Outcome</label>
        <select
          id="t-outcome"
          name="outcome"
          [ngModel]="form.outcome"
          (ngModelChange)="choose('outcome', $event)"
        >
          <option value="">Any</option>
          @for (v of choices().outcomes; track v) {
            <option [value]="v">{{ v }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-status">Status</label>
        <select
          id="t-status"
          name="status"
          [ngModel]="form.status"
          (ngModelChange)="choose('status', $event)"
        >
          <option value="">Any</option>
          @for (v of statuses; track v) {
            <option [value]="v">{{ v }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-strategy">Strategy</label>
        <select
          id="t-strategy"
          name="strategy"
          [ngModel]="form.strategy"
          (ngModelChange)="choose('strategy', $event)"
        >
          <option value="">Any</option>
          @for (v of choices().strategies; track v) {
            <option [value]="v">{{ v }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="t-from">From</label
        ><input id="t-from" name="from" type="datetime-local" [(ngModel)]="form.from" />
      </div>
      <div class="field">
        <label for="t-to">Before</label
        ><input id="t-to" name="to" type="datetime-local" [(ngModel)]="form.to" />
      </div>
      <div class="field">
        <label for="t-size">Rows per page</label
        ><select id="t-size" name="limit" [ngModel]="form.limit" (ngModelChange)="choose('limit', $event)">
          @for (n of pageSizes; track n) {
            <option [ngValue]="n">{{ n }}</option>
          }
        </select>
      </div>
      <div class="toolbar">
        <button type="submit" class="primary" data-testid="apply-filters">Apply</button
        ><button type="button" (click)="reset()">Reset</button>
      </div>
    </form>
    <pm-async-state
      what="trades"
      [pending]="page.pending()"
      [error]="page.error()"
      (retry)="page.reload()"
      [empty]="rows().length === 0"
      [emptyText]="emptyText()"
    >
      <p class="muted summary" aria-live="polite" data-testid="trades-summary">
        Page {{ cursors().length + 1 }} · {{ rows().length }} trades · realised P&amp;L on this page
        <pm-money [value]="pagePnl()" [signed]="true" />
        @if (page.loading()) {
          · refreshing…
        }
      </p>
      <div class="table-wrap">
        <table class="data" data-testid="trades-table">
          <caption class="sr-only">
            Trades; sortable by id, price, size and cycle
          </caption>
          <thead>
            <tr>
              @for (c of columns; track c.label) {
                @if (c.sort) {
                  <th scope="col" [class.num]="c.num" [attr.aria-sort]="ariaSort(c.sort)">
                    <button type="button" class="sort" (click)="sortBy(c.sort)">
                      {{ c.label }} {{ arrow(c.sort) }}
                    </button>
                  </th>
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
                <td>
                  <a [routerLink]="['/runs', t.runId]">#{{ t.runId }}</a>
                </td>
                <td data-testid="trade-bot">{{ botName(t.botId) }}</td>
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
      <button type="button" (click)="previous()" [disabled]="cursors().length === 0" data-testid="prev-page">
        Previous
      </button>
      <button type="button" (click)="next()" [disabled]="!page.value()?.nextCursor" data-testid="next-page">
        Next
      </button>
    </nav>
  `,
  styles: `
    .pager {
      justify-content: flex-end;
      margin-top: 0.5rem;
    }
    .summary {
      margin: 0 0 0.5rem;
    }
  `,
})
export class TradesPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly changes = inject(ChangeDetectorRef);

  protected readonly columns: Array<{ label: string; sort?: TradeSort; num?: boolean }> = [
    { label: 'Id', sort: 'id' },
    { label: 'Time' },
    { label: 'Run' },
    { label: 'Bot' },
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
  protected readonly sides = TRADE_SIDES;
  protected readonly statuses = TRADE_STATUSES;
  protected readonly pageSizes = PAGE_SIZES;
  protected form: FilterForm = formOf(DEFAULT_VIEW);
  /** The view the URL asks for; the page shows exactly this. */
  private readonly query = signal<TradeQuery>(DEFAULT_VIEW);
  /** Why no trade can match the URL's filters (an unknown side, a bot that is not an id...); empty when fine. */
  protected readonly problems = signal<string[]>([]);
  /** Cursors of the pages before the current one; the current page's cursor is `cursor`. */
  protected readonly cursors = signal<Array<string | null>>([]);
  private readonly cursor = signal<string | null>(null);
  protected readonly exporting = signal(false);
  protected readonly exportError = signal<string | null>(null);

  /** One name per bot, as on the Bots page. */
  protected readonly bots = createLoader(() => this.api.listBots());
  private readonly botNames = computed(
    () => new Map((this.bots.value() ?? []).map((b) => [b.botId, b.name])),
  );
  /** The filters' values: bounded lists from the API (GET /api/v1/trades/facets), known enums, and the URL's own. */
  private readonly facets = createLoader(() => this.api.tradeFacets());
  protected readonly botChoices = computed(() => {
    const bots = (this.bots.value() ?? []).map((b) => ({ botId: b.botId, name: b.name }));
    const current = this.query().botId;
    return current !== null && !bots.some((b) => b.botId === current)
      ? [...bots, { botId: current, name: `bot #${current}` }]
      : bots;
  });
  protected readonly choices = computed(() => {
    const facets = this.facets.value();
    const q = this.query();
    return {
      assets: choicesWith(facets?.assets ?? [], q.asset),
      windows: choicesWith(facets?.windows ?? [], q.window),
      strategies: choicesWith(facets?.strategies ?? [], q.strategy),
      outcomes: choicesWith(TRADE_OUTCOMES, q.outcome),
    };
  });

  protected readonly page = createLoader(
    () =>
      this.problems().length > 0
        ? Promise.resolve(EMPTY_PAGE)
        : this.api.listTrades(tradeFilterOf(this.query()), this.cursor()),
    { immediate: false },
  );
  protected readonly rows = computed(() => this.page.value()?.items ?? []);
  protected readonly pagePnl = computed(() => sumDecimals(this.rows().map((t) => t.pnl)));
  protected readonly emptyText = computed(() =>
    this.problems().length > 0
      ? `No trade matches: ${this.problems().join('; ')}.`
      : 'No trade matches these filters.',
  );

  constructor() {
    // New trades only matter on the first page (newest first); later pages stay put while reading.
    inject(LiveEvents).watch(
      ['trade.*', 'stream.connected'],
      () => {
        if (this.cursors().length === 0) void this.page.reload();
      },
      750,
    );
    // The URL is the state: a reload, the back button or a shared link shows what it says.
    const subscription = this.route.queryParamMap.subscribe((params) => this.show(params));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }

  private show(params: ParamMap): void {
    const { view, problems } = readTradeUrl(params);
    this.form = formOf(view);
    this.query.set(view);
    this.problems.set(problems);
    this.changes.markForCheck();
    this.first();
  }

  /** The form as a view (the sort stays as it is). */
  private formView(): TradeQuery {
    const f = this.form;
    const runId = Number(f.runId);
    return {
      ...f,
      runId: Number.isSafeInteger(runId) && runId > 0 ? runId : null,
      from: localInputToIso(f.from) ?? '',
      to: localInputToIso(f.to) ?? '',
      sort: this.query().sort,
      order: this.query().order,
    };
  }

  /** Writes a view to the URL (a new history entry: Back returns to the previous filter). */
  private go(view: TradeQuery): void {
    const params = tradeUrlParams(view);
    const same = Object.entries(params).every(
      ([key, value]) => this.route.snapshot.queryParamMap.get(key) === value,
    );
    if (same && this.problems().length === 0) {
      this.first(); // nothing changed: Apply re-reads
      return;
    }
    void this.router.navigate([], { relativeTo: this.route, queryParams: params });
  }

  protected choose<K extends keyof FilterForm>(key: K, value: FilterForm[K]): void {
    this.form = { ...this.form, [key]: value };
    this.apply();
  }

  protected apply(): void {
    this.go(this.formView());
  }

  protected reset(): void {
    this.go(DEFAULT_VIEW);
  }

  protected sortBy(key: TradeSort): void {
    const q = this.query();
    this.go({ ...this.formView(), sort: key, order: q.sort === key && q.order === 'desc' ? 'asc' : 'desc' });
  }

  protected ariaSort(key: TradeSort): string {
    const q = this.query();
    return q.sort === key ? (q.order === 'asc' ? 'ascending' : 'descending') : 'none';
  }

  protected arrow(key: TradeSort): string {
    const q = this.query();
    return q.sort === key ? (q.order === 'asc' ? '▲' : '▼') : '';
  }

  protected botName(botId: number | null): string {
    return botId === null ? '—' : (this.botNames().get(botId) ?? `bot #${botId}`);
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
      if (this.problems().length > 0) throw new Error(this.emptyText());
      const { blob, filename } = await this.api.downloadTradesCsv(tradeFilterOf(this.query()));
      saveBlob(blob, filename);
    } catch (error) {
      this.exportError.set(apiErrorMessage(error));
    } finally {
      this.exporting.set(false);
    }
  }
}

function formOf(view: TradeQuery): FilterForm {
  const { sort: _sort, order: _order, ...rest } = view;
  return { ...rest, from: isoToLocalInput(view.from), to: isoToLocalInput(view.to) };
}
