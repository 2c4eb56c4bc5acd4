import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  AdminApi,
  AdminSession,
  Bot,
  FleetPause,
  LiveEvents,
  createAction,
  createLoader,
} from '@polymaker/admin/data-access';
import {
  AgoPipe,
  AsyncStateComponent,
  ConfirmComponent,
  DecimalPipe,
  IconComponent,
  TimePipe,
  injectNow,
} from '@polymaker/admin/ui';

type Target = { scope: 'fleet' } | { botId: number } | { tag: string };

/** How often the page re-reads the bots while a pause waits for pick-up (polls send no event). */
const PICKUP_REFRESH_MS = 3_000;

/**
 * All bots at a glance: state, tags, the version each is assigned and the one it last fetched,
 * P&L (realised, and as reported), wallet, fills; config assignment to a tag or a bot; pauses of the
 * fleet, a tag or a bot, with who has picked each up.
 */
@Component({
  selector: 'pm-bots-page',
  imports: [
    FormsModule,
    RouterLink,
    AsyncStateComponent,
    ConfirmComponent,
    IconComponent,
    TimePipe,
    AgoPipe,
    DecimalPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Bots</h1>
        <p>One row per bot key: what it runs, what it was last served, and whether a pause has reached it.</p>
      </div>
      <div class="toolbar">
        <button type="button" (click)="reload()" [disabled]="bots.loading()">
          <pm-icon name="refresh" /> Refresh
        </button>
        @if (session.can('fleet.manage')) {
          @if (fleetPaused()) {
            <button
              type="button"
              class="primary"
              (click)="resume({ scope: 'fleet' })"
              [disabled]="busy()"
              data-testid="resume-fleet"
            >
              <pm-icon name="play" /> Resume the fleet
            </button>
          } @else {
            <button
              type="button"
              class="danger"
              (click)="pause({ scope: 'fleet' }, 'every bot')"
              [disabled]="busy()"
              data-testid="pause-fleet"
            >
              <pm-icon name="pause" /> Pause the fleet
            </button>
          }
        }
      </div>
    </div>
    <pm-confirm
      #pauseDialog
      [title]="'Pause ' + (pendingPause()?.what ?? '') + '?'"
      confirmLabel="Pause orders"
      [danger]="true"
      (confirmed)="confirmPause()"
    >
      The bots it covers stop placing orders at their next config poll (about every 10 s); this page shows
      when each has fetched it. No config version is created.
    </pm-confirm>
    @if (message(); as m) {
      <div class="alert" [class.bad]="m.bad" role="status" data-testid="bots-message">{{ m.text }}</div>
    }

    @if (pauses.value()?.length) {
      <section class="card" aria-label="Pauses in force" data-testid="pauses">
        <h2>Pauses in force</h2>
        <ul class="plain">
          @for (p of pauses.value(); track p.id) {
            <li data-testid="pause-row" [attr.data-kind]="p.kind" [attr.data-target]="p.target">
              <strong>{{ pauseLabel(p) }}</strong> paused {{ p.pausedAt | pmTime
              }}{{ p.pausedBy ? ' by ' + p.pausedBy : '' }}:
              <span data-testid="pause-pickup">{{ p.fetched }} of {{ p.bots }} bots have fetched it</span>
              @for (w of p.waiting; track w.botId) {
                <span class="muted"
                  >; {{ w.name }}
                  {{
                    w.lastPolledAt ? 'last polled ' + (w.lastPolledAt | pmAgo: now()) : 'has never polled'
                  }}</span
                >
              }
              @if (session.can('fleet.manage')) {
                <button
                  type="button"
                  class="small"
                  (click)="resume(targetOf(p))"
                  [disabled]="busy()"
                  data-testid="resume-pause"
                >
                  Resume
                </button>
              }
            </li>
          }
        </ul>
      </section>
    }

    <pm-async-state
      what="the bots"
      [pending]="bots.pending()"
      [error]="bots.error()"
      (retry)="reload()"
      [empty]="rows().length === 0"
      emptyText="No bot yet: create a bot key in Settings and start a bot with it."
    >
      <div class="table-wrap">
        <table class="data stack" data-testid="bots-table">
          <caption class="sr-only">
            Bots
          </caption>
          <thead>
            <tr>
              <th scope="col">Bot</th>
              <th scope="col">State</th>
              <th scope="col">Tags</th>
              <th scope="col">Version</th>
              <th scope="col">Last fetched</th>
              <th scope="col" class="num" title="The exact sum of its resolved trades' P&L">
                Realised P&amp;L
              </th>
              <th scope="col" class="num" title="Realised P&L of its trades logged since 00:00 UTC">Today</th>
              <th scope="col" class="num" title="Realised P&L of the last 7 days">7 days</th>
              <th
                scope="col"
                class="num"
                title="Its open runs' reported totalPnl minus their resolved trades' P&L"
              >
                Unrealised
              </th>
              <th
                scope="col"
                class="num"
                title="The sum of its runs' totalPnl as the bot reports it (may include unrealised value)"
              >
                Reported P&amp;L
              </th>
              <th scope="col" class="num">Wallet</th>
              <th scope="col" class="num">Fill rate</th>
              <th scope="col">Runs</th>
              @if (session.can('fleet.manage')) {
                <th scope="col">Control</th>
              }
            </tr>
          </thead>
          <tbody>
            @for (b of rows(); track b.botId) {
              <tr data-testid="bot-row" [attr.data-bot]="b.name" [attr.data-state]="b.state">
                <td data-label="Bot" class="bot-cell">
                  <span
                    ><a
                      [routerLink]="['/bots', b.botId]"
                      [attr.title]="'The page of ' + b.name"
                      data-testid="bot-link"
                      ><strong>{{ b.name }}</strong></a
                    ><br /><code class="muted">{{ b.keyPrefix }}…</code>
                    @if (!b.keyActive) {
                      <span class="badge bad">key revoked</span>
                    }
                  </span>
                </td>
                <td data-label="State">
                  <span
                    class="badge"
                    [class.good]="b.state === 'running'"
                    [class.warn]="b.state === 'stale'"
                    [class.bad]="b.state === 'paused'"
                    data-testid="bot-state"
                    >{{ b.state }}</span
                  >
                </td>
                <td data-label="Tags">
                  @if (session.can('fleet.manage')) {
                    <form (ngSubmit)="saveTags(b)" class="inline">
                      <label class="sr-only" [attr.for]="'tags-' + b.botId">Tags of {{ b.name }}</label>
                      <input
                        [id]="'tags-' + b.botId"
                        [name]="'tags-' + b.botId"
                        [ngModel]="b.tags.join(', ')"
                        (ngModelChange)="tagDrafts[b.botId] = $event"
                        placeholder="vps-1, btc-only"
                        size="14"
                        data-testid="bot-tags"
                      />
                      <button type="submit" class="small" [disabled]="busy()">Save</button>
                    </form>
                  } @else {
                    {{ b.tags.join(', ') || '—' }}
                  }
                </td>
                <td data-label="Version" data-testid="bot-version">
                  <span
                    >v{{ b.assignedConfigId ?? activeId() ?? '?' }}
                    <span class="muted">({{ ruleLabel(b.assignmentRule) }})</span></span
                  >
                </td>
                <td data-label="Last fetched" data-testid="bot-fetched">
                  <span>
                    @if (b.lastServedConfigId !== null) {
                      v{{ b.lastServedConfigId }}{{ b.lastServedPaused ? ', paused' : '' }}
                      <span class="muted">{{ b.lastPolledAt | pmAgo: now() }}</span>
                      @if (behind(b)) {
                        <span
                          class="badge warn"
                          data-testid="bot-behind"
                          title="It has not polled since its version or pause changed"
                          >not fetched yet</span
                        >
                      }
                    } @else {
                      <span class="muted">never polled</span>
                    }
                  </span>
                </td>
                <td class="num pnl" data-label="Realised P&L" data-testid="bot-realised-pnl">
                  {{ b.realisedPnl | pmDecimal }}
                </td>
                <td class="num" data-label="Realised today (UTC)" data-testid="bot-today">
                  {{ b.realisedPnlToday | pmDecimal }}
                </td>
                <td class="num" data-label="Realised, 7 days">{{ b.realisedPnl7d | pmDecimal }}</td>
                <td class="num" data-label="Unrealised (open runs)">
                  {{ b.unrealisedPnl === null ? '—' : (b.unrealisedPnl | pmDecimal) }}
                </td>
                <td
                  class="num pnl"
                  data-label="Reported P&L (may include unrealised)"
                  data-testid="bot-reported-pnl"
                >
                  {{ b.reportedPnl | pmDecimal }}
                </td>
                <td class="num" data-label="Wallet">
                  {{ b.walletBalance === null ? '—' : (b.walletBalance | pmDecimal) }}
                </td>
                <td class="num" data-label="Fill rate">
                  {{ b.fillRate === null ? '—' : (b.fillRate * 100).toFixed(1) + ' %' }}
                </td>
                <td data-label="Runs">
                  <span
                    ><a
                      [routerLink]="['/runs']"
                      [queryParams]="{ bot: b.botId }"
                      [attr.title]="'Runs of ' + b.name"
                      >{{ b.runningRuns }} open / {{ b.runs }}</a
                    >
                    @if (b.errorRuns) {
                      <span class="badge bad">{{ b.errorRuns }} error</span>
                    }
                  </span>
                </td>
                @if (session.can('fleet.manage')) {
                  <td data-label="Control">
                    @if (b.paused?.kind === 'bot') {
                      <button
                        type="button"
                        class="small"
                        (click)="resume({ botId: b.botId })"
                        [disabled]="busy()"
                        data-testid="resume-bot"
                      >
                        Resume
                      </button>
                    } @else {
                      <button
                        type="button"
                        class="small danger"
                        (click)="pause({ botId: b.botId }, b.name)"
                        [disabled]="busy()"
                        data-testid="pause-bot"
                      >
                        Pause
                      </button>
                    }
                  </td>
                }
              </tr>
            }
          </tbody>
        </table>
      </div>
    </pm-async-state>

    <section class="card" aria-label="Config assignments" data-testid="assignments">
      <h2>Config assignments</h2>
      <p class="muted">
        Each bot gets its own assignment, else the latest-assigned version of one of its tags, else the active
        version (v{{ activeId() ?? '?' }}).
      </p>
      @if (assignments.value()?.length) {
        <ul class="plain">
          @for (a of assignments.value(); track a.id) {
            <li data-testid="assignment-row">
              {{ a.kind === 'tag' ? 'tag ' + a.target : 'bot ' + botName(+a.target) }} → v{{ a.configId }}
              <span class="muted"
                >since {{ a.assignedAt | pmTime }}{{ a.assignedBy ? ' by ' + a.assignedBy : '' }}</span
              >
              @if (session.can('fleet.manage')) {
                <button type="button" class="small" (click)="unassign(a.id)" [disabled]="busy()">
                  Remove
                </button>
              }
            </li>
          }
        </ul>
      } @else {
        <p>No assignment: every bot gets the active version.</p>
      }
      @if (session.can('fleet.manage')) {
        <form class="filters" (ngSubmit)="assign()" aria-label="Assign a version" data-testid="assign-form">
          <div class="field">
            <label for="as-target">To</label>
            <select id="as-target" name="target" [(ngModel)]="assignTarget" data-testid="assign-target">
              <option value="">Choose…</option>
              @for (t of tags(); track t) {
                <option [value]="'tag:' + t">tag {{ t }}</option>
              }
              @for (b of rows(); track b.botId) {
                <option [value]="'bot:' + b.botId">bot {{ b.name }}</option>
              }
            </select>
          </div>
          <div class="field">
            <label for="as-version">Version</label>
            <select id="as-version" name="version" [(ngModel)]="assignVersion" data-testid="assign-version">
              <option [ngValue]="null">Choose…</option>
              @for (v of versions.value() ?? []; track v.id) {
                <option [ngValue]="v.id">
                  v{{ v.id }}{{ v.note ? ' — ' + v.note : '' }}{{ v.isActive ? ' (active)' : '' }}
                </option>
              }
            </select>
          </div>
          <div class="toolbar">
            <button
              type="submit"
              class="primary"
              [disabled]="busy() || !assignTarget || assignVersion === null"
              data-testid="assign-submit"
            >
              Assign
            </button>
          </div>
          @if (tags().length) {
            <div class="field">
              <label for="pause-tag">Pause a tag</label>
              <select id="pause-tag" name="pauseTag" [(ngModel)]="pauseTag" data-testid="pause-tag-select">
                <option value="">Choose…</option>
                @for (t of tags(); track t) {
                  <option [value]="t">{{ t }}</option>
                }
              </select>
              <button
                type="button"
                class="danger small"
                (click)="pause({ tag: pauseTag }, 'tag ' + pauseTag)"
                [disabled]="busy() || !pauseTag"
                data-testid="pause-tag"
              >
                Pause tag
              </button>
            </div>
          }
        </form>
      }
    </section>
  `,
  styles: `
    /*
     * On a phone each bot is a card of label/value lines, its name first and its P&L right after, so the
     * P&L is on screen without scrolling sideways (a table this wide would hide it past the right edge).
     */
    @media (max-width: 700px) {
      table.stack thead {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
      }
      table.stack,
      table.stack tbody {
        display: block;
      }
      table.stack tr {
        display: flex;
        flex-direction: column;
        padding: 0.4rem 0;
        border-bottom: 1px solid var(--border);
      }
      table.stack tbody tr:last-child {
        border-bottom: none;
      }
      table.stack td {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 0.75rem;
        padding: 0.2rem 0.75rem;
        border: none;
        text-align: right;
      }
      table.stack td::before {
        content: attr(data-label);
        color: var(--muted);
        font-size: 0.8rem;
        font-weight: 600;
        text-align: left;
      }
      table.stack td.bot-cell {
        order: -2;
      }
      table.stack td.pnl {
        order: -1;
      }
    }
  `,
})
export class BotsPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  private readonly live = inject(LiveEvents);

  protected readonly bots = createLoader(() => this.api.listBots());
  protected readonly pauses = createLoader(() => this.api.listPauses());
  protected readonly assignments = createLoader(() => this.api.listAssignments());
  protected readonly versions = createLoader(() => this.api.listConfigs());
  protected readonly rows = computed(() => this.bots.value() ?? []);
  protected readonly tags = computed(() => [...new Set(this.rows().flatMap((b) => b.tags))].sort());
  protected readonly activeId = computed(() => this.versions.value()?.find((v) => v.isActive)?.id ?? null);
  protected readonly fleetPaused = computed(() =>
    (this.pauses.value() ?? []).some((p) => p.kind === 'fleet'),
  );
  private readonly action = createAction(() => this.reload());
  protected readonly busy = this.action.busy;
  protected readonly message = this.action.message;
  protected readonly tagDrafts: Record<number, string> = {};
  protected assignTarget = '';
  protected assignVersion: number | null = null;
  protected pauseTag = '';
  protected readonly now = injectNow();
  protected readonly pendingPause = signal<{ target: Target; what: string } | null>(null);
  private readonly pauseDialog = viewChild.required<ConfirmComponent>('pauseDialog');

  constructor() {
    this.live.watch(
      [
        'fleet.changed',
        'bot.state-changed',
        'config.*',
        'run.started',
        'run.stopped',
        'run.stale',
        'stream.connected',
      ],
      () => void this.reload(),
      1000,
    );
    const timer = setInterval(() => {
      if (
        (this.pauses.value() ?? []).some((p) => p.fetched < p.bots) ||
        this.rows().some((b) => this.behind(b))
      )
        void this.reload();
    }, PICKUP_REFRESH_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected async reload(): Promise<void> {
    await Promise.all([
      this.bots.reload(),
      this.pauses.reload(),
      this.assignments.reload(),
      this.versions.reload(),
    ]);
  }

  protected ruleLabel(rule: string): string {
    return rule === 'default' ? 'fleet default' : rule === 'bot' ? 'its own' : rule.replace('tag:', 'tag ');
  }

  protected pauseLabel(p: FleetPause): string {
    return p.kind === 'fleet'
      ? 'The fleet'
      : p.kind === 'tag'
        ? `Tag ${p.target}`
        : this.botName(Number(p.target));
  }

  protected botName(id: number): string {
    return this.rows().find((b) => b.botId === id)?.name ?? `bot #${id}`;
  }

  protected targetOf(p: FleetPause): Target {
    return p.kind === 'fleet'
      ? { scope: 'fleet' }
      : p.kind === 'tag'
        ? { tag: p.target }
        : { botId: Number(p.target) };
  }

  /** It has not fetched what it would be served now (its version, or its pause state). */
  protected behind(b: Bot): boolean {
    const version = b.assignedConfigId ?? this.activeId();
    if (b.lastServedConfigId === null || version === null) return false;
    return b.lastServedConfigId !== version || b.lastServedPaused !== (b.paused !== null);
  }

  protected saveTags(b: Bot): Promise<void> {
    const draft = this.tagDrafts[b.botId] ?? b.tags.join(', ');
    const tags = draft
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    return this.action.run(() => this.api.setBotTags(b.botId, tags), `Tags of ${b.name} saved.`);
  }

  protected assign(): Promise<void> {
    const [kind, value] = [this.assignTarget.slice(0, 3), this.assignTarget.slice(4)];
    const version = this.assignVersion;
    if (!value || version === null) return Promise.resolve();
    const target = kind === 'tag' ? { tag: value } : { botId: Number(value) };
    return this.action.run(
      () => this.api.assignConfig(target, version),
      `v${version} assigned to ${kind === 'tag' ? `tag ${value}` : this.botName(Number(value))}: its bots get it at their next poll.`,
    );
  }

  protected unassign(id: number): Promise<void> {
    return this.action.run(() => this.api.removeAssignment(id), 'Assignment removed.');
  }

  protected pause(target: Target, what: string): void {
    this.pendingPause.set({ target, what });
    this.pauseDialog().open();
  }

  protected confirmPause(): Promise<void> {
    const pending = this.pendingPause();
    if (!pending) return Promise.resolve();
    return this.action.run(
      () => this.api.pauseBots(pending.target),
      `Paused ${pending.what}: waiting for the bots to fetch it.`,
    );
  }

  protected resume(target: Target): Promise<void> {
    return this.action.run(
      () => this.api.resumeBots(target),
      'Resumed: bots place orders again at their next poll.',
    );
  }
}
