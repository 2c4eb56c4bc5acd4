import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  AdminApi,
  AdminSession,
  ConfigDiff,
  ConfigVersion,
  LiveEvents,
  SafeActivation,
  apiErrorMessage,
  createLoader,
} from '@polymaker/admin/data-access';
import {
  ActivationConfirmComponent,
  AsyncStateComponent,
  IconComponent,
  StatusBadgeComponent,
  TimePipe,
  ValuePipe,
} from '@polymaker/admin/ui';
import { ActivationPreview } from '@polymaker/admin/util';

@Component({
  selector: 'pm-configs-page',
  imports: [
    FormsModule,
    RouterLink,
    ActivationConfirmComponent,
    AsyncStateComponent,
    IconComponent,
    StatusBadgeComponent,
    TimePipe,
    ValuePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Configs</h1>
        <p>Versions the bots poll. Edit makes a new version; bots switch when one is activated.</p>
      </div>
      <div class="toolbar">
        @if (active.value(); as a) {
          @if (session.can('configs.pause') && a.values['pauseOrders'] === true) {
            <!-- A version that says pauseOrders (an older pause): resuming makes a new version. Pauses now live on the Dashboard and the Bots page. -->
            <button
              type="button"
              class="primary"
              (click)="setPaused(false)"
              [disabled]="busy()"
              data-testid="resume-orders"
            >
              <pm-icon name="play" /> Resume orders
            </button>
          }
          @if (session.can('configs.rollback')) {
            <button type="button" (click)="rollback()" [disabled]="busy()" data-testid="rollback">
              <pm-icon name="undo" /> Roll back
            </button>
          }
          @if (session.can('configs.create')) {
            <a class="button primary" [routerLink]="['/configs', a.id]" data-testid="edit-active"
              ><pm-icon name="configs" /> Edit active (v{{ a.version }})</a
            >
          } @else {
            <a class="button" [routerLink]="['/configs', a.id]" data-testid="view-active"
              >View active (v{{ a.version }})</a
            >
          }
        } @else if (session.can('configs.create')) {
          <a class="button primary" routerLink="/configs/new"><pm-icon name="plus" /> New config</a>
        }
      </div>
    </div>
    <pm-activation-confirm />
    @if (message(); as m) {
      <div class="alert" [class.good]="!m.bad" [class.bad]="m.bad" [attr.role]="m.bad ? 'alert' : 'status'">
        {{ m.text }}
      </div>
    }

    <div class="grid layout">
      <section class="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <pm-async-state
          what="versions"
          [pending]="versions.pending()"
          [error]="versions.error()"
          (retry)="versions.reload()"
          [empty]="(versions.value()?.length ?? 0) === 0"
          emptyText="No config yet. Make the first one."
        >
          <div class="table-wrap">
            <table class="data" data-testid="versions-table">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Source</th>
                  <th scope="col">Note</th>
                  <th scope="col">Created</th>
                  <th scope="col"><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                @for (v of versions.value(); track v.id) {
                  <tr [class.active]="v.isActive">
                    <td>
                      <a [routerLink]="['/configs', v.id]">v{{ v.version }}</a>
                      @if (v.isActive) {
                        <pm-status-badge status="active" />
                      }
                      @if (v.values['pauseOrders'] === true) {
                        <pm-status-badge status="paused" />
                      }
                    </td>
                    <td>
                      {{ v.source }}{{ v.basedOnId ? ' (from v' + v.basedOnId + ')' : '' }}
                      @if (v.analysisId) {
                        <br /><span class="small" [attr.data-testid]="'from-analysis-' + v.id"
                          >from
                          @if (analysisRuns().get(v.analysisId); as runId) {
                            <a [routerLink]="['/runs', runId]"
                              >analysis #{{ v.analysisId }} (run #{{ runId }})</a
                            >
                          } @else {
                            analysis #{{ v.analysisId }}
                          }
                        </span>
                      }
                    </td>
                    <td>{{ v.note ?? '' }}</td>
                    <td>{{ v.createdAt | pmTime }}</td>
                    <td class="actions">
                      @if (!v.isActive && session.can('configs.activate')) {
                        <button
                          type="button"
                          class="link"
                          (click)="activate(v)"
                          [disabled]="busy()"
                          [attr.data-testid]="'activate-' + v.id"
                        >
                          Activate
                        </button>
                      }
                      <button type="button" class="link" (click)="diffWithActive(v)">Diff</button>
                    </td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        </pm-async-state>
      </section>

      <div class="side">
        <section class="card" aria-labelledby="diff-title">
          <h2 id="diff-title">Compare versions</h2>
          <form class="diff-form" (ngSubmit)="diff()">
            <div class="field">
              <label for="diff-from">From</label>
              <select id="diff-from" name="from" [(ngModel)]="diffFrom">
                @for (v of versions.value() ?? []; track v.id) {
                  <option [ngValue]="v.id">v{{ v.version }}</option>
                }
              </select>
            </div>
            <div class="field">
              <label for="diff-to">To</label>
              <select id="diff-to" name="to" [(ngModel)]="diffTo">
                @for (v of versions.value() ?? []; track v.id) {
                  <option [ngValue]="v.id">v{{ v.version }}</option>
                }
              </select>
            </div>
            <button type="submit" [disabled]="!diffFrom || !diffTo">Show diff</button>
          </form>
          @if (diffError(); as e) {
            <div class="alert bad" role="alert">{{ e }}</div>
          }
          @if (diffResult(); as d) {
            @if (d.changes.length) {
              <table class="data diff" data-testid="diff-table">
                <caption class="sr-only">
                  Changes from v{{
                    d.from
                  }}
                  to v{{
                    d.to
                  }}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">v{{ d.from }}</th>
                    <th scope="col">v{{ d.to }}</th>
                  </tr>
                </thead>
                <tbody>
                  @for (c of d.changes; track c.key) {
                    <tr>
                      <td>
                        <code>{{ c.key }}</code>
                        <span
                          class="badge"
                          [class]="
                            'badge ' +
                            (c.change === 'removed' ? 'bad' : c.change === 'added' ? 'good' : 'warn')
                          "
                          >{{ c.change }}</span
                        >
                      </td>
                      <td class="old">
                        <code>{{ c.from | pmValue }}</code>
                      </td>
                      <td class="new">
                        <code>{{ c.to | pmValue }}</code>
                      </td>
                    </tr>
                  }
                </tbody>
              </table>
            } @else {
              <p class="muted">v{{ d.from }} and v{{ d.to }} hold the same values.</p>
            }
          }
        </section>
        <section class="card" aria-labelledby="history-title">
          <h2 id="history-title">Activation history</h2>
          <pm-async-state
            what="history"
            [pending]="activations.pending()"
            [error]="activations.error()"
            (retry)="activations.reload()"
            [empty]="(activations.value()?.length ?? 0) === 0"
            emptyText="Nothing activated yet."
          >
            <ol class="history">
              @for (a of activations.value(); track a.id) {
                <li>
                  <strong>{{ a.action }}</strong> v{{ a.configId
                  }}{{ a.previousConfigId ? ' (was v' + a.previousConfigId + ')' : '' }}
                  <span class="muted">{{ a.at | pmTime }}</span>
                </li>
              }
            </ol>
          </pm-async-state>
        </section>
      </div>
    </div>
  `,
  styles: `
    .layout {
      grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      align-items: start;
    }
    @media (max-width: 1000px) {
      .layout {
        grid-template-columns: 1fr;
      }
    }
    .side {
      display: flex;
      flex-direction: column;
      gap: 1rem;
      min-width: 0;
    }
    tr.active td {
      background: var(--good-bg);
    }
    .actions {
      white-space: nowrap;
      text-align: right;
    }
    .diff-form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: end;
      margin-bottom: 0.75rem;
    }
    .diff td.old code {
      color: var(--bad);
    }
    .diff td.new code {
      color: var(--good);
    }
    .diff code {
      word-break: break-all;
    }
    .small {
      font-size: 0.8rem;
    }
    .history {
      margin: 0;
      padding-left: 1.2rem;
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      max-height: 320px;
      overflow: auto;
    }
  `,
})
export class ConfigsPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  private readonly safe = inject(SafeActivation);
  private readonly confirm = viewChild.required(ActivationConfirmComponent);
  private readonly ask = (preview: ActivationPreview) => this.confirm().ask(preview);
  protected readonly versions = createLoader(() => this.api.listConfigs());
  protected readonly active = createLoader(() => this.api.activeConfig());
  protected readonly activations = createLoader(() => this.api.activations());
  protected readonly busy = signal(false);
  protected readonly message = signal<{ text: string; bad: boolean } | null>(null);
  protected diffFrom: number | null = null;
  protected diffTo: number | null = null;
  protected readonly diffResult = signal<ConfigDiff | null>(null);
  protected readonly diffError = signal<string | null>(null);
  protected readonly activeId = computed(() => this.active.value()?.id ?? null);
  /** analysisId → runId, for the versions made from an analysis' suggestions. */
  protected readonly analysisRuns = signal<ReadonlyMap<number, number>>(new Map());

  constructor() {
    effect(() => {
      const ids = [
        ...new Set(
          (this.versions.value() ?? []).map((v) => v.analysisId).filter((id): id is number => id !== null),
        ),
      ];
      untracked(() => void this.loadAnalysisRuns(ids));
    });
    inject(LiveEvents).watch(['config.*', 'stream.connected'], () => this.reload(), 300);
  }

  private async loadAnalysisRuns(ids: number[]): Promise<void> {
    const known = this.analysisRuns();
    const missing = ids.filter((id) => !known.has(id));
    if (!missing.length) return;
    const found = await Promise.all(
      missing.map((id) =>
        this.api.getAnalysis(id).then(
          (a) => [id, a.runId] as const,
          () => null,
        ),
      ),
    );
    const next = new Map(this.analysisRuns());
    for (const entry of found) if (entry) next.set(entry[0], entry[1]);
    this.analysisRuns.set(next);
  }

  private reload(): void {
    void this.versions.reload();
    void this.active.reload();
    void this.activations.reload();
  }

  /** Runs a confirmed change; a cancelled one (null) leaves everything as it was. */
  private async act(
    run: () => Promise<ConfigVersion | null>,
    done: (v: ConfigVersion) => string,
  ): Promise<void> {
    this.busy.set(true);
    this.message.set(null);
    try {
      const v = await run();
      if (!v) return;
      this.message.set({ text: done(v), bad: false });
      this.reload();
    } catch (error) {
      this.message.set({ text: apiErrorMessage(error), bad: true });
    } finally {
      this.busy.set(false);
    }
  }

  protected activate(v: ConfigVersion): Promise<void> {
    return this.act(
      () => this.safe.activate(v.id, this.ask),
      (r) => `v${r.version} is active. Bots pick it up at their next poll.`,
    );
  }

  protected rollback(): Promise<void> {
    return this.act(
      () => this.safe.rollback(this.ask),
      (r) => `Rolled back: v${r.version} is active again.`,
    );
  }

  protected setPaused(paused: boolean): Promise<void> {
    return this.act(
      () => this.safe.setPaused(paused, this.ask),
      (r) => (paused ? `Orders paused (v${r.version}).` : `Orders resumed (v${r.version}).`),
    );
  }

  protected diffWithActive(v: ConfigVersion): void {
    this.diffFrom = this.activeId() ?? v.id;
    this.diffTo = v.id;
    void this.diff();
  }

  protected async diff(): Promise<void> {
    if (!this.diffFrom || !this.diffTo) return;
    this.diffError.set(null);
    try {
      this.diffResult.set(await this.api.diffConfigs(this.diffFrom, this.diffTo));
    } catch (error) {
      this.diffError.set(apiErrorMessage(error));
    }
  }
}
