import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import {
  AdminApi,
  Exposure,
  LiveEvents,
  PnlGroup,
  PnlPeriod,
  createLoader,
} from '@polymaker/admin/data-access';
import { AsyncStateComponent, DecimalPipe, IconComponent, injectNow } from '@polymaker/admin/ui';
import { decimalSign, formatDuration } from '@polymaker/admin/util';
import { bucketLabel, monthGrid, pivot, rangeFor, shiftEnd, todayIn } from './calendar';

const PERIODS: PnlPeriod[] = ['day', 'week', 'month'];
const GROUPS: PnlGroup[] = ['fleet', 'bot', 'asset', 'window'];
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Realised P&L over time (a month of days as a calendar, half a year of weeks, a year of months; for
 * the fleet or per bot, asset or window; in UTC or this browser's time) and what the bots hold now
 * (exposure per bot and market window, one-sided windows about to expire highlighted). Every choice
 * lives in the URL.
 */
@Component({
  selector: 'pm-pnl-page',
  imports: [RouterLink, AsyncStateComponent, DecimalPipe, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>P&amp;L</h1>
        <p>
          Realised P&amp;L: the exact sum of resolved trades’ P&amp;L, counted on the day the order was
          logged. Unrealised value is not in it (the Bots page shows it per bot).
        </p>
      </div>
      <div class="toolbar">
        <button type="button" (click)="reload()" [disabled]="calendar.loading()">
          <pm-icon name="refresh" /> Refresh
        </button>
      </div>
    </div>

    <form class="filters" aria-label="P&L view" (submit)="$event.preventDefault()">
      <div class="field">
        <label for="pnl-period">Period</label>
        <select id="pnl-period" (change)="set({ period: value($event) })" data-testid="pnl-period">
          @for (p of periods; track p) {
            <option [value]="p" [selected]="p === period()">
              {{ p === 'day' ? 'Days' : p === 'week' ? 'Weeks' : 'Months' }}
            </option>
          }
        </select>
      </div>
      <div class="field">
        <label for="pnl-group">By</label>
        <select id="pnl-group" (change)="set({ by: value($event) })" data-testid="pnl-group">
          @for (g of groups; track g) {
            <option [value]="g" [selected]="g === group()">
              {{ g === 'fleet' ? 'Fleet' : g === 'bot' ? 'Bot' : g === 'asset' ? 'Asset' : 'Window' }}
            </option>
          }
        </select>
      </div>
      <div class="field">
        <label for="pnl-bot">Bot</label>
        <select id="pnl-bot" (change)="set({ bot: value($event) || null })" data-testid="pnl-bot">
          <option value="" [selected]="botId() === null">All bots</option>
          @for (b of bots.value() ?? []; track b.botId) {
            <option [value]="b.botId" [selected]="b.botId === botId()">{{ b.name }}</option>
          }
        </select>
      </div>
      <div class="field" role="group" aria-label="Time zone">
        <span class="label">Days in</span>
        <div class="segmented">
          <button
            type="button"
            [class.active]="zone() === 'utc'"
            [attr.aria-pressed]="zone() === 'utc'"
            (click)="set({ tz: null })"
            data-testid="pnl-utc"
          >
            UTC
          </button>
          <button
            type="button"
            [class.active]="zone() === 'local'"
            [attr.aria-pressed]="zone() === 'local'"
            (click)="set({ tz: 'local' })"
            data-testid="pnl-local"
            [attr.title]="localZone"
          >
            Local ({{ localZone }})
          </button>
        </div>
      </div>
      <div class="toolbar">
        <button type="button" (click)="set({ end: shift(-1) })" data-testid="pnl-earlier">← Earlier</button>
        <button type="button" (click)="set({ end: null })" [disabled]="!endParam()">Now</button>
        <button type="button" (click)="set({ end: shift(1) })" data-testid="pnl-later">Later →</button>
      </div>
    </form>

    <pm-async-state
      what="the P&L calendar"
      [pending]="calendar.pending()"
      [error]="calendar.error()"
      (retry)="reload()"
    >
      @if (calendar.value(); as view) {
        <section class="card" aria-label="Totals" data-testid="pnl-summary">
          <div class="kpis">
            <div class="kpi">
              <span class="label"
                >Realised P&amp;L, {{ view.from }} to {{ view.to }} ({{ view.timeZone }})</span
              >
              <strong
                [class.good]="sign(view.total) > 0"
                [class.bad]="sign(view.total) < 0"
                data-testid="pnl-total"
                >{{ view.total | pmDecimal }}</strong
              >
            </div>
            <div class="kpi">
              <span class="label">Resolved trades</span><strong>{{ view.trades }}</strong>
            </div>
          </div>
        </section>

        @if (period() === 'day' && grid(); as weeks) {
          <section class="card" aria-label="Calendar" data-testid="pnl-calendar">
            <table class="calendar">
              <caption class="sr-only">
                Realised P&amp;L per day
              </caption>
              <thead>
                <tr>
                  @for (d of weekdays; track d) {
                    <th scope="col">{{ d }}</th>
                  }
                </tr>
              </thead>
              <tbody>
                @for (week of weeks; track week[0].day) {
                  <tr>
                    @for (cell of week; track cell.day) {
                      <td
                        [class.pad]="cell.date === null"
                        [class.good]="sign(cell.pnl) > 0"
                        [class.bad]="sign(cell.pnl) < 0"
                        [attr.data-day]="cell.date === null ? null : cell.day"
                        data-testid="pnl-day"
                      >
                        @if (cell.date !== null) {
                          <span class="date">{{ cell.date }}</span>
                          <span class="amount">{{ cell.pnl === null ? '' : (cell.pnl | pmDecimal) }}</span>
                          @if (cell.trades) {
                            <span class="muted small">{{ cell.trades }} trades</span>
                          }
                        }
                      </td>
                    }
                  </tr>
                }
              </tbody>
            </table>
          </section>
        }

        @if (table(); as t) {
          <section class="card" aria-label="P&L table">
            <div class="table-wrap">
              <table class="data" data-testid="pnl-table">
                <caption class="sr-only">
                  Realised P&amp;L per
                  {{
                    period()
                  }}{{
                    group() === 'fleet' ? '' : ' and ' + group()
                  }}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">
                      {{ period() === 'day' ? 'Day' : period() === 'week' ? 'Week' : 'Month' }}
                    </th>
                    @if (group() !== 'fleet') {
                      @for (k of t.keys; track k) {
                        <th scope="col" class="num">{{ keyLabel(k) }}</th>
                      }
                    }
                    <th scope="col" class="num">Total</th>
                  </tr>
                </thead>
                <tbody>
                  @for (row of t.rows; track row.start) {
                    <tr data-testid="pnl-row" [attr.data-start]="row.start">
                      <th scope="row">{{ label(row.start) }}</th>
                      @if (group() !== 'fleet') {
                        @for (k of t.keys; track k) {
                          <td
                            class="num"
                            [class.good]="sign(row.cells[k]) > 0"
                            [class.bad]="sign(row.cells[k]) < 0"
                          >
                            {{ row.cells[k] === undefined ? '—' : (row.cells[k] | pmDecimal) }}
                          </td>
                        }
                      }
                      <td
                        class="num"
                        [class.good]="sign(row.total) > 0"
                        [class.bad]="sign(row.total) < 0"
                        data-testid="pnl-row-total"
                      >
                        {{ row.total | pmDecimal }}
                      </td>
                    </tr>
                  }
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    @if (group() !== 'fleet') {
                      @for (k of t.keys; track k) {
                        <td class="num">{{ totalOf(k) | pmDecimal }}</td>
                      }
                    }
                    <td class="num">
                      <strong>{{ view.total | pmDecimal }}</strong>
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
        }
      }
    </pm-async-state>

    <section class="card" aria-label="Exposure now" data-testid="exposure">
      <h2>Exposure now</h2>
      <p class="muted">
        Filled, unresolved positions per bot and market window (last 48 h). One-sided: shares on one side
        only, lost if the window resolves against it. Highlighted: one-sided and expiring within 2 minutes.
      </p>
      <pm-async-state
        what="the exposure"
        [pending]="exposure.pending()"
        [error]="exposure.error()"
        (retry)="exposure.reload()"
        [empty]="(exposure.value() ?? []).length === 0"
        emptyText="No open position: every filled trade is resolved."
      >
        <div class="table-wrap">
          <table class="data" data-testid="exposure-table">
            <caption class="sr-only">
              Open positions
            </caption>
            <thead>
              <tr>
                <th scope="col">Bot</th>
                <th scope="col">Window</th>
                <th scope="col" class="num">Up size</th>
                <th scope="col" class="num">Up cost</th>
                <th scope="col" class="num">Down size</th>
                <th scope="col" class="num">Down cost</th>
                <th scope="col" class="num">One-sided</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              @for (e of exposure.value() ?? []; track e.botId + '|' + e.market) {
                <tr data-testid="exposure-row" [class.at-risk]="atRisk(e)" [attr.data-risk]="atRisk(e)">
                  <td>
                    @if (e.botId !== null) {
                      <a [routerLink]="['/bots', e.botId]">{{ e.botName ?? 'bot #' + e.botId }}</a>
                    } @else {
                      —
                    }
                  </td>
                  <td>{{ e.asset }} {{ e.window }}</td>
                  <td class="num">{{ e.up.size | pmDecimal }}</td>
                  <td class="num">{{ e.up.cost | pmDecimal }}</td>
                  <td class="num">{{ e.down.size | pmDecimal }}</td>
                  <td class="num">{{ e.down.cost | pmDecimal }}</td>
                  <td class="num" data-testid="exposure-one-sided">
                    {{ e.oneSidedOutcome ? (e.oneSided | pmDecimal) + ' ' + e.oneSidedOutcome : 'balanced' }}
                  </td>
                  <td>
                    {{ expiresLabel(e) }}
                    @if (atRisk(e)) {
                      <span class="badge bad">one-sided</span>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      </pm-async-state>
    </section>
  `,
  styles: `
    .segmented {
      display: inline-flex;
      gap: 0;
    }
    .segmented button {
      border-radius: 0;
    }
    .segmented button.active {
      background: var(--accent, #2563eb);
      color: #fff;
    }
    table.calendar {
      width: 100%;
      table-layout: fixed;
      border-collapse: collapse;
    }
    table.calendar td {
      vertical-align: top;
      height: 4.2rem;
      border: 1px solid var(--border, #ddd);
      padding: 0.25rem;
      font-variant-numeric: tabular-nums;
    }
    table.calendar td.pad {
      background: transparent;
      border-color: transparent;
    }
    table.calendar td .date {
      display: block;
      font-size: 0.75rem;
      opacity: 0.7;
    }
    table.calendar td .amount {
      display: block;
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    td.good,
    strong.good {
      color: var(--good, #15803d);
    }
    td.bad,
    strong.bad {
      color: var(--bad, #b91c1c);
    }
    tr.at-risk {
      background: color-mix(in srgb, var(--bad, #b91c1c) 12%, transparent);
    }
    @media (max-width: 640px) {
      table.calendar td {
        height: 3rem;
        font-size: 0.75rem;
      }
      table.calendar td .small {
        display: none;
      }
    }
  `,
})
export class PnlPageComponent {
  private readonly api = inject(AdminApi);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  protected readonly periods = PERIODS;
  protected readonly groups = GROUPS;
  protected readonly weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  protected readonly localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  protected readonly now = injectNow();
  private readonly params = toSignal(this.route.queryParamMap, { requireSync: true });

  protected readonly period = computed<PnlPeriod>(() => pick(this.params().get('period'), PERIODS, 'day'));
  protected readonly group = computed<PnlGroup>(() => pick(this.params().get('by'), GROUPS, 'fleet'));
  protected readonly zone = computed<'utc' | 'local'>(() =>
    this.params().get('tz') === 'local' ? 'local' : 'utc',
  );
  protected readonly botId = computed(() => {
    const raw = this.params().get('bot');
    return raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
  });
  protected readonly endParam = computed(() => {
    const raw = this.params().get('end');
    return raw && DAY_PATTERN.test(raw) ? raw : null;
  });
  private readonly timeZone = computed(() => (this.zone() === 'local' ? this.localZone : 'UTC'));
  private readonly end = computed(() => this.endParam() ?? todayIn(this.timeZone()));
  private readonly range = computed(() => rangeFor(this.period(), this.end()));

  protected readonly bots = createLoader(() => this.api.listBots());
  /** The view asked for (the day calendar sums each day's keys). */
  protected readonly calendar = createLoader(
    () =>
      this.api.pnlCalendar({
        period: this.period(),
        groupBy: this.group(),
        ...this.range(),
        timeZone: this.timeZone(),
        ...(this.botId() ? { botId: this.botId() ?? undefined } : {}),
      }),
    { immediate: false },
  );
  protected readonly exposure = createLoader(() => this.api.exposure(this.botId() ?? undefined), {
    immediate: false,
  });
  protected readonly table = computed(() => {
    const view = this.calendar.value();
    return view ? pivot(view) : null;
  });
  protected readonly grid = computed(() => {
    const view = this.calendar.value();
    return view && view.period === 'day' ? monthGrid(view.from, view.to, view.buckets) : null;
  });
  private readonly asked = signal('');

  constructor() {
    const live = inject(LiveEvents);
    const destroy = inject(DestroyRef);
    const subscription = this.route.queryParamMap.subscribe(() => {
      const key = JSON.stringify([this.period(), this.group(), this.range(), this.timeZone(), this.botId()]);
      if (key === this.asked()) return;
      this.asked.set(key);
      void this.calendar.reload();
      void this.exposure.reload();
    });
    destroy.onDestroy(() => subscription.unsubscribe());
    // resolutions change the calendar, fills the exposure: re-read at most every 2 s while trades flow
    destroy.onDestroy(
      live.watch(['trade.updated', 'trade.logged', 'stream.connected'], () => void this.reload(), 2000),
    );
  }

  protected reload(): Promise<unknown> {
    return Promise.all([this.calendar.reload(), this.exposure.reload(), this.bots.reload()]);
  }

  protected set(changes: Record<string, string | null>): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: changes,
      queryParamsHandling: 'merge',
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLSelectElement).value;
  }

  protected shift(direction: -1 | 1): string {
    return shiftEnd(this.period(), this.end(), direction);
  }

  protected sign(value: string | null | undefined): number {
    return decimalSign(value);
  }

  protected label(start: string): string {
    return bucketLabel(this.period(), start);
  }

  protected keyLabel(key: string): string {
    if (this.group() !== 'bot') return key || '(none)';
    return (
      (this.bots.value() ?? []).find((b) => String(b.botId) === key)?.name ??
      (key ? `bot #${key}` : '(no bot)')
    );
  }

  protected totalOf(key: string): string {
    return this.calendar.value()?.totals.find((t) => t.key === key)?.pnl ?? '0';
  }

  /** Counts down from expiresAt with this page's clock (the server's secondsToExpiry is at the read). */
  private secondsLeft(e: Exposure): number | null {
    return e.expiresAt === null ? null : Math.round((Date.parse(e.expiresAt) - this.now()) / 1000);
  }

  protected atRisk(e: Exposure): boolean {
    const left = this.secondsLeft(e);
    return e.oneSidedOutcome !== null && left !== null && left <= 120;
  }

  protected expiresLabel(e: Exposure): string {
    const left = this.secondsLeft(e);
    if (left === null) return 'not reported';
    return left >= 0 ? `in ${formatDuration(left)}` : `expired ${formatDuration(-left)} ago, not resolved`;
  }
}

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
