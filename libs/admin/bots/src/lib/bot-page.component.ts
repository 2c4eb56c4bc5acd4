import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { AdminApi, AdminSession, LiveEvents, createAction, createLoader } from '@polymaker/admin/data-access';
import {
  AgoPipe,
  AsyncStateComponent,
  ConfirmComponent,
  DecimalPipe,
  IconComponent,
  StatusBadgeComponent,
  TimePipe,
  injectNow,
} from '@polymaker/admin/ui';
import { decimalSign } from '@polymaker/admin/util';
import { map } from 'rxjs';

/** Alert kinds shown on a bot's page (run summaries are on its runs). */
const ALERT_KINDS = new Set(['run-error', 'run-stale', 'wallet-low']);
/** The bot's newest notifications read for its alerts. */
const ALERTS_SCANNED = 50;
const RUNS_SHOWN = 50;

/**
 * One bot: its state and figures (realised P&L today, 7 days and all time; unrealised while a run is
 * open), its pause, the versions it was served and when, its runs, what it holds now, and its alerts.
 */
@Component({
  selector: 'pm-bot-page',
  imports: [
    RouterLink,
    AsyncStateComponent,
    ConfirmComponent,
    DecimalPipe,
    IconComponent,
    StatusBadgeComponent,
    TimePipe,
    AgoPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/bots">← Bots</a></p>
    <pm-async-state what="the bot" [pending]="bot.pending()" [error]="bot.error()" (retry)="reload()">
      @if (bot.value(); as b) {
        <div class="page-head">
          <div>
            <h1 data-testid="bot-name">{{ b.name }}</h1>
            <p>
              <span
                class="badge"
                [class.good]="b.state === 'running'"
                [class.warn]="b.state === 'stale'"
                [class.bad]="b.state === 'paused'"
                data-testid="bot-page-state"
                >{{ b.state }}</span
              >
              <code class="muted">{{ b.keyPrefix }}…</code>
              @if (!b.keyActive) {
                <span class="badge bad">key revoked</span>
              }
              · tags {{ b.tags.join(', ') || 'none' }} · v{{ b.assignedConfigId ?? 'default' }} ({{
                b.assignmentRule === 'default'
                  ? 'fleet default'
                  : b.assignmentRule === 'bot'
                    ? 'its own'
                    : b.assignmentRule.replace('tag:', 'tag ')
              }}) · last poll {{ b.lastPolledAt ? (b.lastPolledAt | pmAgo: now()) : 'never' }}
            </p>
          </div>
          <div class="toolbar">
            <button type="button" (click)="reload()"><pm-icon name="refresh" /> Refresh</button>
            @if (session.can('fleet.manage')) {
              @if (b.paused?.kind === 'bot') {
                <button
                  type="button"
                  class="primary"
                  (click)="resume()"
                  [disabled]="busy()"
                  data-testid="bot-page-resume"
                >
                  <pm-icon name="play" /> Resume
                </button>
              } @else {
                <button
                  type="button"
                  class="danger"
                  (click)="pauseDialog.open()"
                  [disabled]="busy()"
                  data-testid="bot-page-pause"
                >
                  <pm-icon name="pause" /> Pause this bot
                </button>
              }
            }
          </div>
        </div>
        <pm-confirm
          #pauseDialog
          [title]="'Pause ' + b.name + '?'"
          confirmLabel="Pause orders"
          [danger]="true"
          (confirmed)="pause()"
        >
          It stops placing orders at its next config poll (about every 10 s). No config version is created.
        </pm-confirm>
        @if (message(); as m) {
          <div class="alert" [class.bad]="m.bad" role="status">{{ m.text }}</div>
        }
        @if (b.paused; as p) {
          <div class="alert" role="status">
            Paused {{ p.pausedAt | pmTime }}{{ p.pausedBy ? ' by ' + p.pausedBy : '' }} ({{
              p.kind === 'fleet' ? 'the whole fleet' : p.kind === 'tag' ? 'tag ' + p.target : 'this bot'
            }}); {{ b.lastServedPaused ? 'it has fetched the pause.' : 'it has not fetched it yet.' }}
          </div>
        }

        <section class="card kpis" aria-label="Figures" data-testid="bot-kpis">
          <div class="kpi">
            <span class="label">Realised today (UTC)</span
            ><strong
              [class.good]="sign(b.realisedPnlToday) > 0"
              [class.bad]="sign(b.realisedPnlToday) < 0"
              data-testid="bot-pnl-today"
              >{{ b.realisedPnlToday | pmDecimal }}</strong
            >
          </div>
          <div class="kpi">
            <span class="label">Realised, 7 days</span
            ><strong
              [class.good]="sign(b.realisedPnl7d) > 0"
              [class.bad]="sign(b.realisedPnl7d) < 0"
              data-testid="bot-pnl-7d"
              >{{ b.realisedPnl7d | pmDecimal }}</strong
            >
          </div>
          <div class="kpi">
            <span class="label">Realised, all time</span
            ><strong
              [class.good]="sign(b.realisedPnl) > 0"
              [class.bad]="sign(b.realisedPnl) < 0"
              data-testid="bot-pnl-all"
              >{{ b.realisedPnl | pmDecimal }}</strong
            >
          </div>
          <div class="kpi" title="Its open runs' reported totalPnl minus their resolved trades' P&L">
            <span class="label">Unrealised (open runs)</span
            ><strong data-testid="bot-pnl-unrealised">{{
              b.unrealisedPnl === null ? '—' : (b.unrealisedPnl | pmDecimal)
            }}</strong>
          </div>
          <div
            class="kpi"
            title="The sum of its runs' totalPnl as the bot reports it (may include unrealised value)"
          >
            <span class="label">Reported by its runs</span><strong>{{ b.reportedPnl | pmDecimal }}</strong>
          </div>
          <div class="kpi">
            <span class="label">Wallet (latest)</span
            ><strong>{{ b.walletBalance === null ? '—' : (b.walletBalance | pmDecimal) }}</strong>
          </div>
          <div class="kpi">
            <span class="label">Fill rate</span
            ><strong>{{ b.fillRate === null ? '—' : (b.fillRate * 100).toFixed(1) + ' %' }}</strong
            ><span class="muted">{{ b.fills }} of {{ b.orders }} orders, {{ b.failedOrders }} failed</span>
          </div>
          <div class="kpi">
            <span class="label">Runs</span><strong>{{ b.runningRuns }} open / {{ b.runs }}</strong>
            @if (b.errorRuns) {
              <span class="badge bad">{{ b.errorRuns }} ended in error</span>
            }
          </div>
        </section>
        <p>
          <a [routerLink]="['/pnl']" [queryParams]="{ bot: b.botId }" data-testid="bot-pnl-link"
            >Its P&amp;L by day, week or month →</a
          >
        </p>
        @if (b.lastMetrics; as m) {
          <section class="card" aria-label="Its latest metrics" data-testid="bot-last-metrics">
            <h2>
              Latest metrics
              <span class="muted small"
                >run <a [routerLink]="['/runs', m.runId]">#{{ m.runId }}</a
                >, {{ m.at | pmAgo: now() }}</span
              >
            </h2>
            <dl class="facts">
              @for (entry of metricEntries(m.values); track entry[0]) {
                <dt>{{ entry[0] }}</dt>
                <dd>{{ entry[1] }}</dd>
              }
            </dl>
          </section>
        }
      }
    </pm-async-state>

    <section class="card" aria-label="Versions it ran" data-testid="bot-versions">
      <h2>Versions it ran</h2>
      <p class="muted">
        From its config polls: each line is an unbroken stretch of one version (and pause state).
      </p>
      <pm-async-state
        what="its versions"
        [pending]="spans.pending()"
        [error]="spans.error()"
        (retry)="spans.reload()"
        [empty]="(spans.value() ?? []).length === 0"
        emptyText="It has not polled its config yet."
      >
        <ul class="plain">
          @for (s of spans.value() ?? []; track s.from) {
            <li data-testid="bot-span">
              v{{ s.configId }}{{ s.note ? ' — ' + s.note : '' }}{{ s.paused ? ' (paused)' : '' }}:
              {{ s.from | pmTime }} to {{ s.lastSeenAt | pmTime }}
            </li>
          }
        </ul>
      </pm-async-state>
    </section>

    <section class="card" aria-label="Its runs" data-testid="bot-runs">
      <h2>Runs</h2>
      <pm-async-state
        what="its runs"
        [pending]="runs.pending()"
        [error]="runs.error()"
        (retry)="runs.reload()"
        [empty]="(runs.value()?.items ?? []).length === 0"
        emptyText="No run yet."
      >
        <div class="table-wrap">
          <table class="data">
            <caption class="sr-only">
              Runs of this bot
            </caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Version</th>
                <th scope="col">Started</th>
                <th scope="col" class="num" title="As the bot reports it (may include unrealised value)">
                  Reported P&amp;L
                </th>
              </tr>
            </thead>
            <tbody>
              @for (r of runs.value()?.items ?? []; track r.id) {
                <tr data-testid="bot-run-row">
                  <td>
                    <a [routerLink]="['/runs', r.id]">#{{ r.id }}</a>
                  </td>
                  <td><pm-status-badge [status]="r.status" /></td>
                  <td>{{ r.configId === null ? '—' : 'v' + r.configId }}</td>
                  <td>{{ r.startedAt | pmTime }}</td>
                  <td class="num">{{ r.totalPnl === null ? '—' : (r.totalPnl | pmDecimal) }}</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        @if ((runs.value()?.total ?? 0) > runsShown) {
          <p>
            <a [routerLink]="['/runs']" [queryParams]="{ bot: id() }">All {{ runs.value()?.total }} runs →</a>
          </p>
        }
      </pm-async-state>
    </section>

    <section class="card" aria-label="What it holds now" data-testid="bot-exposure">
      <h2>Exposure now</h2>
      <pm-async-state
        what="its exposure"
        [pending]="exposure.pending()"
        [error]="exposure.error()"
        (retry)="exposure.reload()"
        [empty]="(exposure.value() ?? []).length === 0"
        emptyText="No open position."
      >
        <ul class="plain">
          @for (e of exposure.value() ?? []; track e.market) {
            <li>
              {{ e.asset }} {{ e.window }}: Up {{ e.up.size | pmDecimal }}, Down
              {{ e.down.size | pmDecimal }} ·
              {{
                e.oneSidedOutcome ? (e.oneSided | pmDecimal) + ' one-sided ' + e.oneSidedOutcome : 'balanced'
              }}
              @if (e.atRisk) {
                <span class="badge bad">expiring one-sided</span>
              }
            </li>
          }
        </ul>
      </pm-async-state>
    </section>

    <section class="card" aria-label="Its alerts" data-testid="bot-alerts">
      <h2>Alerts</h2>
      <p class="muted">
        Its errors, stale runs and low-balance alerts, among its newest {{ alertsScanned }} notifications.
      </p>
      @if (alerts().length) {
        <ul class="plain">
          @for (n of alerts(); track n.id) {
            <li data-testid="bot-alert">
              <span
                class="badge"
                [class.bad]="n.severity === 'critical'"
                [class.warn]="n.severity === 'warning'"
                >{{ n.kind }}</span
              >
              {{ n.title }} <span class="muted">{{ n.createdAt | pmAgo: now() }}</span>
            </li>
          }
        </ul>
      } @else {
        <p>No alert.</p>
      }
    </section>
  `,
})
export class BotPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  protected readonly now = injectNow();
  protected readonly runsShown = RUNS_SHOWN;
  protected readonly alertsScanned = ALERTS_SCANNED;
  protected readonly id = toSignal(inject(ActivatedRoute).paramMap.pipe(map((p) => Number(p.get('id')))), {
    requireSync: true,
  });
  protected readonly bot = createLoader(() => this.api.getBot(this.id()));
  protected readonly spans = createLoader(() => this.api.botConfigSpans(this.id()));
  protected readonly runs = createLoader(() => this.api.listRuns({ botId: this.id(), limit: RUNS_SHOWN }));
  protected readonly exposure = createLoader(() => this.api.exposure(this.id()));
  private readonly notifications = createLoader(() =>
    this.api.listNotifications({ botId: this.id(), limit: ALERTS_SCANNED }),
  );
  protected readonly alerts = computed(() =>
    (this.notifications.value()?.items ?? []).filter((n) => ALERT_KINDS.has(n.kind)),
  );
  private readonly action = createAction(() => this.reload());
  protected readonly busy = this.action.busy;
  protected readonly message = this.action.message;

  constructor() {
    const live = inject(LiveEvents);
    const destroy = inject(DestroyRef);
    destroy.onDestroy(
      live.watch(
        [
          'bot.state-changed',
          'fleet.changed',
          'run.*',
          'notification.*',
          'wallet.low-balance',
          'stream.connected',
        ],
        () => void this.reload(),
        1000,
      ),
    );
  }

  protected reload(): Promise<unknown> {
    return Promise.all([
      this.bot.reload(),
      this.spans.reload(),
      this.runs.reload(),
      this.exposure.reload(),
      this.notifications.reload(),
    ]);
  }

  /** The pushed metrics as name/value text, scalars only (nested values such as hedgeAnalytics are on the run page). */
  protected metricEntries(values: Record<string, unknown>): [string, string][] {
    return Object.entries(values)
      .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
      .map(([k, v]) => [k, v === null ? '—' : String(v)]);
  }

  protected sign(value: string | null | undefined): number {
    return decimalSign(value);
  }

  protected pause(): Promise<void> {
    return this.action.run(
      () => this.api.pauseBots({ botId: this.id() }),
      'Paused: it stops placing orders at its next poll.',
    );
  }

  protected resume(): Promise<void> {
    return this.action.run(
      () => this.api.resumeBots({ botId: this.id() }),
      'Resumed: it places orders again at its next poll.',
    );
  }
}
