import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { AdminApi, LiveEvents, MARKET_PAGE, Market, createLoader } from '@polymaker/admin/data-access';
import { AgoPipe, AsyncStateComponent, StatusBadgeComponent, createSorter, injectNow } from '@polymaker/admin/ui';
import { formatDuration } from '@polymaker/admin/util';

/**
 * The watchlist the bots report: by asset and window, with a live expiry countdown and activity. One
 * row per market across the bots that report it; loaded in pages ("Load more"), and a live refresh
 * reloads as many markets as are shown.
 */
@Component({
  selector: 'pm-markets-page',
  imports: [FormsModule, RouterLink, AsyncStateComponent, StatusBadgeComponent, AgoPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div><h1>Markets</h1><p>The markets the bots watch, as they last reported them.</p></div>
      <div class="toolbar">
        <label class="check" for="show-expired"><input id="show-expired" type="checkbox" [ngModel]="includeExpired()" (ngModelChange)="includeExpired.set($event); wanted.set(pageSize); markets.reload()" /> Show expired</label>
        <label for="asset-filter" class="sr-only">Asset</label>
        <select id="asset-filter" [ngModel]="asset()" (ngModelChange)="asset.set($event)"><option value="">All assets</option>@for (a of assets(); track a) { <option [value]="a">{{ a }}</option> }</select>
      </div>
    </div>
    <pm-async-state what="markets" [pending]="markets.pending()" [error]="markets.error()" (retry)="markets.reload()" [empty]="filtered().length === 0" emptyText="No market reported yet. Bots report their watchlist with POST /api/bot/markets/report.">
      <section class="groups">
        @for (g of groups(); track g.key) {
          <article class="card">
            <h2>{{ g.asset }} <span class="muted">{{ g.window }}</span> <span class="badge neutral">{{ g.count }}</span></h2>
          </article>
        }
      </section>
      <div class="table-wrap">
        <table class="data" data-testid="markets-table">
          <thead><tr>
            @for (c of columns; track c.key) {
              <th scope="col" [class.num]="c.num" [attr.aria-sort]="sorter.ariaSort(c.key)"><button type="button" class="sort" (click)="sorter.toggle(c.key)">{{ c.label }} {{ sorter.arrow(c.key) }}</button></th>
            }
            <th scope="col">Last report</th><th scope="col" class="num">Bots</th><th scope="col">Token (Up)</th>
          </tr></thead>
          <tbody>
            @for (m of sorter.rows(); track m.id) {
              <tr>
                <td>{{ m.asset }}</td>
                <td>{{ m.window }}</td>
                <td class="mono">{{ m.windowId ?? '—' }}</td>
                <td class="num">@if (left(m); as s) { @if (s > 0) { <span [class.soon]="s < 120">{{ countdown(s) }}</span> } @else { <pm-status-badge status="expired" /> } } @else { — }</td>
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
        Showing {{ loaded() }} of {{ total() }} markets.
        @if (more()) { <button type="button" (click)="loadMore()" data-testid="markets-load-more" [disabled]="markets.loading()">Load more</button> }
      </p>
      <p class="muted"><a routerLink="/trades">Browse their trades →</a></p>
    </pm-async-state>
  `,
  styles: `
    .groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 0.6rem; margin-bottom: 1rem; }
    .groups .card { padding: 0.6rem 0.8rem; }
    .groups h2 { margin: 0; font-size: 0.95rem; }
    .check { display: inline-flex; gap: 0.35rem; align-items: center; font-weight: 500; margin: 0; }
    .soon { color: var(--warn); font-weight: 650; }
    .paging { display: flex; gap: 0.6rem; align-items: center; }
    .ellipsis { max-width: 18ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  `,
})
export class MarketsPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly now = injectNow(1000);
  protected readonly includeExpired = signal(false);
  protected readonly asset = signal('');
  protected readonly pageSize = MARKET_PAGE;
  /** How many markets to show: one page, and a page more per "Load more". */
  protected readonly wanted = signal(MARKET_PAGE);
  protected readonly markets = createLoader(() => this.api.listMarkets(this.includeExpired(), this.wanted()));
  private readonly items = computed(() => this.markets.value()?.items ?? []);
  protected readonly loaded = computed(() => this.items().length);
  protected readonly total = computed(() => this.markets.value()?.total ?? 0);
  protected readonly more = computed(() => this.markets.value()?.more ?? false);
  protected readonly columns = [
    { key: 'asset', label: 'Asset', num: false },
    { key: 'window', label: 'Window', num: false },
    { key: 'windowId', label: 'Window id', num: false },
    { key: 'expiresAt', label: 'Expires in', num: true },
    { key: 'tradeCount', label: 'Trades', num: true },
    { key: 'lastTradeAt', label: 'Last trade', num: false },
  ];
  protected readonly assets = computed(() => [...new Set(this.items().map((m) => m.asset))].sort());
  protected readonly filtered = computed(() => this.items().filter((m) => !this.asset() || m.asset === this.asset()));
  protected readonly sorter = createSorter<Market>(this.filtered, 'expiresAt', 'asc');
  protected readonly groups = computed(() => {
    const map = new Map<string, { key: string; asset: string; window: string; count: number }>();
    for (const m of this.filtered()) {
      const key = `${m.asset}|${m.window}`;
      const g = map.get(key) ?? { key, asset: m.asset, window: m.window, count: 0 };
      g.count++;
      map.set(key, g);
    }
    return [...map.values()].sort((a, b) => a.key.localeCompare(b.key));
  });

  constructor() {
    inject(LiveEvents).watch(['markets.*', 'trade.logged', 'stream.connected'], () => void this.markets.reload(), 1000);
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
