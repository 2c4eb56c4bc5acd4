import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, ParamMap, Router, RouterLink } from '@angular/router';
import {
  AdminApi,
  LiveEvents,
  MARKET_PAGE,
  MARKET_SEARCH_MAX,
  Market,
  MarketList,
  createLoader,
} from '@polymaker/admin/data-access';
import {
  AgoPipe,
  AsyncStateComponent,
  StatusBadgeComponent,
  createSorter,
  injectNow,
} from '@polymaker/admin/ui';
import { formatDuration } from '@polymaker/admin/util';

/**
 * The watchlist the bots report, with a live expiry countdown and activity: one row per market
 * across the bots that report it, the soonest-expiring live market first, expired ones only with
 * "Show expired". Search, asset and "Show expired" run on the server and live in the URL
 * (`/markets?search=btc&expired=1`); loaded in pages ("Load more"), and a live refresh reloads as
 * many markets as are shown.
 */
@Component({
  selector: 'pm-markets-page',
  imports: [FormsModule, RouterLink, AsyncStateComponent, StatusBadgeComponent, AgoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Markets</h1>
        <p>The markets the bots watch, as they last reported them.</p>
      </div>
    </div>
    <form
      class="filters card"
      role="search"
      aria-label="Search markets"
      (ngSubmit)="applySearch()"
      data-testid="markets-filters"
    >
      <div class="field grow">
        <label for="market-search">Search</label>
        <input
          id="market-search"
          name="search"
          type="search"
          [maxlength]="searchMax"
          placeholder="asset or slug, e.g. btc-updown-15m"
          [(ngModel)]="searchText"
          data-testid="markets-search"
        />
      </div>
      <div class="field">
        <label for="asset-filter">Asset</label>
        <select id="asset-filter" name="asset" [ngModel]="asset()" (ngModelChange)="go({ asset: $event })">
          <option value="">All assets</option>
          @for (a of assets(); track a) {
            <option [value]="a">{{ a }}</option>
          }
        </select>
      </div>
      <label class="check" for="show-expired"
        ><input
          id="show-expired"
          name="expired"
          type="checkbox"
          [ngModel]="includeExpired()"
          (ngModelChange)="go({ includeExpired: $event })"
        />
        Show expired</label
      >
      <div class="toolbar">
        <button type="submit" class="primary" data-testid="markets-search-submit">Search</button>
        @if (filtered()) {
          <button type="button" (click)="clear()">Clear</button>
        }
      </div>
    </form>
    <pm-async-state
      what="markets"
      [pending]="markets.pending()"
      [error]="markets.error()"
      (retry)="markets.reload()"
      [empty]="items().length === 0"
      [emptyText]="emptyText()"
    >
      <section class="groups">
        @for (g of groups(); track g.key) {
          <article class="card">
            <h2>
              {{ g.asset }} <span class="muted">{{ g.window }}</span>
              <span class="badge neutral">{{ g.count }}</span>
            </h2>
          </article>
        }
      </section>
      <div class="table-wrap">
        <table class="data" data-testid="markets-table">
          <thead>
            <tr>
              @for (c of columns; track c.key) {
                <th scope="col" [class.num]="c.num" [attr.aria-sort]="sorter.ariaSort(c.key)">
                  <button type="button" class="sort" (click)="sorter.toggle(c.key)">
                    {{ c.label }} {{ sorter.arrow(c.key) }}
                  </button>
                </th>
              }
              <th scope="col">Last report</th>
              <th scope="col" class="num">Bots</th>
              <th scope="col">Token (Up)</th>
            </tr>
          </thead>
          <tbody>
            @for (m of sorter.rows(); track m.id) {
              <tr>
                <td>{{ m.asset }}</td>
                <td>{{ m.window }}</td>
                <td class="mono">{{ m.windowId ?? '—' }}</td>
                <td class="num">
                  @if (left(m); as s) {
                    @if (s > 0) {
                      <span [class.soon]="s < 120">{{ countdown(s) }}</span>
                    } @else {
                      <pm-status-badge status="expired" />
                    }
                  } @else {
                    —
                  }
                </td>
                <td class="num">{{ m.tradeCount }}</td>
                <td>{{ m.lastTradeAt ? (m.lastTradeAt | pmAgo: now()) : 'none' }}</td>
                <td>{{ m.lastReportedAt | pmAgo: now() }}</td>
                <td class="num" [attr.title]="'bots ' + m.botIds.join(', ')">{{ m.botCount }}</td>
                <td class="mono ellipsis" [attr.title]="m.tokenId">{{ m.tokenId }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      <p class="muted paging" data-testid="markets-paging">
        Showing {{ loaded() }} of {{ total() }} {{ includeExpired() ? 'markets' : 'live markets' }}.
        @if (more()) {
          <button
            type="button"
            (click)="loadMore()"
            data-testid="markets-load-more"
            [disabled]="markets.loading()"
          >
            Load more
          </button>
        }
      </p>
      <p class="muted"><a routerLink="/trades">Browse their trades →</a></p>
    </pm-async-state>
  `,
  styles: `
    .groups {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
      gap: 0.6rem;
      margin-bottom: 1rem;
    }
    .groups .card {
      padding: 0.6rem 0.8rem;
    }
    .groups h2 {
      margin: 0;
      font-size: 0.95rem;
    }
    .check {
      display: inline-flex;
      gap: 0.35rem;
      align-items: center;
      font-weight: 500;
      margin: 0;
      align-self: end;
      padding-bottom: 0.45rem;
    }
    .grow {
      flex: 1 1 18rem;
    }
    .soon {
      color: var(--warn);
      font-weight: 650;
    }
    .paging {
      display: flex;
      gap: 0.6rem;
      align-items: center;
    }
    .ellipsis {
      max-width: 18ch;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
  `,
})
export class MarketsPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly now = injectNow(1000);
  protected readonly searchMax = MARKET_SEARCH_MAX;
  protected readonly includeExpired = signal(false);
  protected readonly asset = signal('');
  protected readonly search = signal('');
  /** The search box, applied on Search (Enter). */
  protected searchText = '';
  /** Why the URL's search cannot be asked (too long); null when fine. */
  private readonly problem = signal<string | null>(null);
  protected readonly pageSize = MARKET_PAGE;
  /** How many markets to show: one page, and a page more per "Load more". */
  protected readonly wanted = signal(MARKET_PAGE);
  protected readonly markets = createLoader<MarketList>(
    () =>
      this.problem() !== null
        ? Promise.resolve({ items: [], total: 0, more: false, assets: [] })
        : this.api.listMarkets(
            { includeExpired: this.includeExpired(), asset: this.asset(), search: this.search() },
            this.wanted(),
          ),
    { immediate: false },
  );
  protected readonly items = computed(() => this.markets.value()?.items ?? []);
  protected readonly loaded = computed(() => this.items().length);
  protected readonly total = computed(() => this.markets.value()?.total ?? 0);
  protected readonly more = computed(() => this.markets.value()?.more ?? false);
  protected readonly filtered = computed(() => this.asset() !== '' || this.search() !== '');
  protected readonly emptyText = computed(() => {
    const problem = this.problem();
    if (problem) return `No market matches: ${problem}.`;
    if (this.filtered()) return `No ${this.includeExpired() ? '' : 'live '}market matches these filters.`;
    return this.includeExpired()
      ? 'No market reported yet. Bots report their watchlist with POST /api/bot/markets/report.'
      : 'No live market. Tick "Show expired" for the expired ones; bots report their watchlist with POST /api/bot/markets/report.';
  });
  protected readonly columns = [
    { key: 'asset', label: 'Asset', num: false },
    { key: 'window', label: 'Window', num: false },
    { key: 'windowId', label: 'Window id', num: false },
    { key: 'expiresAt', label: 'Expires in', num: true },
    { key: 'tradeCount', label: 'Trades', num: true },
    { key: 'lastTradeAt', label: 'Last trade', num: false },
  ];
  /** The asset filter's choices (from the API), with the URL's own. */
  protected readonly assets = computed(() => {
    const known = this.markets.value()?.assets ?? [];
    return this.asset() && !known.includes(this.asset()) ? [...known, this.asset()] : known;
  });
  /** In the server's order (soonest expiry first) until a column is clicked. */
  protected readonly sorter = createSorter<Market>(this.items, '', 'asc');
  protected readonly groups = computed(() => {
    const map = new Map<string, { key: string; asset: string; window: string; count: number }>();
    for (const m of this.items()) {
      const key = `${m.asset}|${m.window}`;
      const g = map.get(key) ?? { key, asset: m.asset, window: m.window, count: 0 };
      g.count++;
      map.set(key, g);
    }
    return [...map.values()].sort((a, b) => a.key.localeCompare(b.key));
  });

  constructor() {
    inject(LiveEvents).watch(
      ['markets.*', 'trade.logged', 'stream.connected'],
      () => void this.markets.reload(),
      1000,
    );
    // The URL is the state: a reload, the back button or a shared link shows what it says.
    const subscription = this.route.queryParamMap.subscribe((params) => this.show(params));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }

  private show(params: ParamMap): void {
    const search = (params.get('search') ?? '').trim();
    this.searchText = search;
    this.search.set(search);
    this.asset.set((params.get('asset') ?? '').trim());
    this.includeExpired.set(params.get('expired') === '1');
    this.problem.set(
      search.length > MARKET_SEARCH_MAX ? `the search is longer than ${MARKET_SEARCH_MAX} characters` : null,
    );
    this.wanted.set(MARKET_PAGE);
    void this.markets.reload();
  }

  /** Writes the filters to the URL (a new history entry); the page follows the URL. */
  protected go(change: { includeExpired?: boolean; asset?: string; search?: string }): void {
    const next = {
      includeExpired: this.includeExpired(),
      asset: this.asset(),
      search: this.search(),
      ...change,
    };
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: {
        search: next.search.trim() || null,
        asset: next.asset || null,
        expired: next.includeExpired ? '1' : null,
      },
    });
  }

  protected applySearch(): void {
    this.go({ search: this.searchText });
  }

  protected clear(): void {
    this.searchText = '';
    this.go({ search: '', asset: '' });
  }

  protected loadMore(): void {
    this.wanted.update((count) => Math.max(count, this.loaded()) + MARKET_PAGE);
    void this.markets.reload();
  }

  protected left(m: Market): number | null {
    return m.expiresAt ? Math.round((Date.parse(m.expiresAt) - this.now()) / 1000) : null;
  }

  protected countdown(seconds: number): string {
    if (seconds >= 3600) return formatDuration(seconds);
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return `${m}:${String(s).padStart(2, '0')}`;
  }
}
