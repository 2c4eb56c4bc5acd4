import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import {
  AdminApi,
  AdminSession,
  Analysis,
  ConfigVersion,
  LiveEvents,
  SafeActivation,
  apiErrorMessage,
  createLoader,
} from '@polymaker/admin/data-access';
import {
  ActivationConfirmComponent,
  AsyncStateComponent,
  MoneyComponent,
  StatusBadgeComponent,
  TimePipe,
} from '@polymaker/admin/ui';
import { ActivationPreview } from '@polymaker/admin/util';
import {
  BREAKDOWN_TABS,
  BreakdownKey,
  breakdownRows,
  newestFirst,
  percent,
  scoreRows,
  selectedIds,
  showValue,
  summaryFigures,
} from './analysis-view';

/**
 * The analysis of a run: overall score and sub-scores (each with its inputs and formula), notes, summary
 * figures, breakdowns and suggestions, which can be applied as a new config version and activated.
 */
@Component({
  selector: 'pm-run-analysis',
  imports: [
    RouterLink,
    ActivationConfirmComponent,
    AsyncStateComponent,
    MoneyComponent,
    StatusBadgeComponent,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="head">
      <h2 id="analysis-title">Analysis</h2>
      <div class="toolbar">
        @if (list().length > 1) {
          <label class="sr-only" for="analysis-pick">Analysis shown</label>
          <select
            id="analysis-pick"
            [value]="current()?.analysisId"
            (change)="pick(+$any($event.target).value)"
          >
            @for (a of list(); track a.analysisId) {
              <option [value]="a.analysisId">
                #{{ a.analysisId }} · {{ a.trigger }} · {{ a.analyzedAt | pmTime }}
              </option>
            }
          </select>
        }
        @if (session.can('analyses.run')) {
          <button type="button" (click)="analyse()" [disabled]="analysing()" data-testid="analyse-now">
            {{ analysing() ? 'Analysing…' : 'Analyse now' }}
          </button>
        }
      </div>
    </div>
    @if (message(); as m) {
      <div class="alert" [class.good]="!m.bad" [class.bad]="m.bad" [attr.role]="m.bad ? 'alert' : 'status'">
        {{ m.text }}
      </div>
    }
    <pm-async-state
      what="the analysis"
      [pending]="analyses.pending()"
      [error]="analyses.error()"
      (retry)="analyses.reload()"
      [empty]="!current()"
      emptyText="No analysis yet: the server analyses a run when it stops, or now with “Analyse now”."
    >
      @if (current(); as a) {
        <div class="overall" data-testid="analysis">
          <div class="big" data-testid="analysis-score">
            <span class="num">{{ a.overallScore }}</span><span class="muted">/100</span>
          </div>
          <div>
            <div>
              Analysis #{{ a.analysisId }} · {{ a.trigger }} · {{ a.analyzedAt | pmTime }} · run was
              {{ a.runStatus }}
            </div>
            <div class="muted small">
              Data quality <pm-status-badge [status]="a.dataQuality === 'ok' ? 'ok' : 'thin'" /> ·
              {{ a.formula }}
            </div>
          </div>
        </div>
        <ul class="scores" aria-label="Sub-scores">
          @for (s of scores(); track s.key) {
            <li>
              <details [attr.data-testid]="'score-' + s.key">
                <summary>
                  <span class="name"
                    >{{ s.label }}
                    @if (s.weight !== null) {
                      <span class="muted small"> ×{{ s.weight }}</span>
                    }
                  </span>
                  <span class="bar" aria-hidden="true"
                    ><span [style.width.%]="s.pct" [class.low]="s.pct < 40"></span
                  ></span>
                  <span class="num">{{ s.score ?? 'n/a' }}</span>
                </summary>
                @if (s.rewards) {
                  <p class="rewards" [attr.data-testid]="'rewards-' + s.key">Rewards {{ s.rewards }}.</p>
                }
                @if (s.formula) {
                  <p class="formula">
                    <code>{{ s.formula }}</code>
                  </p>
                  <dl class="pairs">
                    @for (i of s.inputs; track i[0]) {
                      <dt>
                        <code>{{ i[0] }}</code>
                      </dt>
                      <dd>{{ i[1] }}</dd>
                    }
                  </dl>
                } @else {
                  <p class="muted">
                    Not computed for this analysis (the notes below say why); left out of the overall score.
                  </p>
                }
              </details>
            </li>
          }
        </ul>
        @if (a.notes.length) {
          <ul class="notes" aria-label="Notes">
            @for (n of a.notes; track $index) {
              <li>{{ n }}</li>
            }
          </ul>
        }

        <h3>Summary</h3>
        <dl class="figures">
          @for (f of figures(); track f.label) {
            <div>
              <dt>{{ f.label }}</dt>
              <dd [attr.data-testid]="f.testId">
                @if (f.money !== undefined) {
                  <pm-money [value]="f.money" [signed]="true" />
                } @else {
                  {{ f.value }}
                }
              </dd>
            </div>
          }
        </dl>

        <h3>Breakdowns</h3>
        <div class="tabs" role="group" aria-label="Breakdown by">
          @for (t of tabs; track t.key) {
            <button
              type="button"
              class="small-btn"
              [class.primary]="tab() === t.key"
              [attr.aria-pressed]="tab() === t.key"
              (click)="tab.set(t.key)"
            >
              {{ t.label }}
            </button>
          }
        </div>
        @if (rows().length) {
          <div class="table-wrap">
            <table class="data" data-testid="breakdown-table">
              <thead>
                <tr>
                  <th scope="col">{{ tabLabel() }}</th>
                  <th scope="col" class="num">Trades</th>
                  <th scope="col" class="num">Fills</th>
                  <th scope="col" class="num">Fill rate</th>
                  <th scope="col" class="num">P&amp;L</th>
                </tr>
              </thead>
              <tbody>
                @for (r of rows(); track r.key) {
                  <tr>
                    <td>{{ r.key }}</td>
                    <td class="num">{{ r.trades }}</td>
                    <td class="num">{{ r.fills }}</td>
                    <td class="num">{{ r.fillRate }}</td>
                    <td class="num"><pm-money [value]="r.pnl" [signed]="true" /></td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        } @else if (a.state === 'pending') {
          <p class="muted" data-testid="analysis-pending">
            The breakdowns and suggestions come with the full analysis, which runs right after the stop.
          </p>
        } @else {
          <p class="muted">No trades to break down.</p>
        }

        <h3>Suggestions</h3>
        @if (a.suggestions.status === 'thin-data') {
          <div class="alert info" role="status" data-testid="analysis-thin">{{ a.suggestions.message }}</div>
        } @else if (a.suggestions.items.length === 0) {
          <p class="muted" data-testid="analysis-no-suggestions">
            {{ a.suggestions.message || 'Nothing to change.' }}
          </p>
        } @else {
          <ul class="suggestions" data-testid="suggestions">
            @for (s of a.suggestions.items; track s.id) {
              <li [attr.data-suggestion]="s.key">
                <label [for]="'suggestion-' + s.id">
                  @if (session.can('suggestions.apply')) {
                    <input
                      type="checkbox"
                      [id]="'suggestion-' + s.id"
                      [checked]="checked().has(s.id)"
                      (change)="toggle(s.id)"
                      [attr.data-testid]="'suggestion-' + s.key"
                    />
                  }
                  <strong
                    ><code>{{ s.key }}</code></strong
                  >
                  <span class="change"
                    ><code>{{ show(s.current) }}</code>
                    @if (s.currentObserved) {
                      <span class="muted small"> (observed)</span>
                    }
                    → <code class="to">{{ show(s.suggested) }}</code></span
                  >
                  <span class="conf" [title]="'Confidence ' + pct(s.confidence, 0)"
                    >confidence {{ pct(s.confidence, 0) }}</span
                  >
                </label>
                <p class="why">{{ s.rationale }}</p>
              </li>
            }
          </ul>
          @if (session.can('suggestions.apply')) {
            <div class="toolbar">
              <button
                type="button"
                class="primary"
                (click)="apply()"
                [disabled]="applying() || checked().size === 0"
                data-testid="apply-suggestions"
              >
                Apply as new config version
              </button>
              <span class="muted small"
                >{{ checked().size }} of {{ a.suggestions.items.length }} selected · the new version starts
                from the active one, keeps its pauseOrders, and is not activated</span
              >
            </div>
          }
        }
        @if (a.suggestions.notYet?.length) {
          <div class="not-yet" data-testid="suggestions-not-yet">
            <h4>Not enough evidence yet</h4>
            <ul>
              @for (n of a.suggestions.notYet; track n.message) {
                <li>{{ n.message }}</li>
              }
            </ul>
          </div>
        }
        @if (a.suggestions.contradicted?.length) {
          <div class="not-yet" data-testid="suggestions-contradicted">
            <h4>Withheld: earlier runs of this version saw the opposite</h4>
            <ul>
              @for (c of a.suggestions.contradicted; track c) {
                <li>{{ c }}</li>
              }
            </ul>
          </div>
        }
        @if (a.suggestions.method) {
          <p class="muted small" data-testid="suggestions-method">
            How the evidence is weighed: {{ a.suggestions.method }}
          </p>
        }
        @if (created(); as c) {
          <div class="alert good created" role="status" data-testid="applied-version">
            New version <a [routerLink]="['/configs', c.id]">v{{ c.version }}</a> (from analysis #{{
              a.analysisId
            }})
            @if (c.isActive) {
              is active: bots get it at their next poll.
            } @else {
              is not active yet.
              @if (session.can('configs.activate')) {
                <button
                  type="button"
                  class="primary"
                  (click)="activate()"
                  [disabled]="applying()"
                  data-testid="activate-applied"
                >
                  Activate v{{ c.version }}
                </button>
              }
              @if (session.can('fleet.manage') && c.basedOnId) {
                or
                <a
                  [routerLink]="['/experiments']"
                  [queryParams]="{ versions: c.basedOnId + ',' + c.id, from: a.analysisId }"
                  data-testid="try-as-experiment"
                  >try it on some bots first (an experiment against v{{ c.basedOnId }})</a
                >
              }
            }
          </div>
        } @else if (a.appliedConfigIds.length) {
          <p class="muted small">
            Applied before as
            @for (id of a.appliedConfigIds; track id) {
              <a [routerLink]="['/configs', id]">v{{ id }}</a
              >{{ $last ? '' : ', ' }}
            }
          </p>
        }
      }
    </pm-async-state>
    <pm-activation-confirm />
  `,
  styles: `
    .head {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: center;
      gap: 0.5rem;
    }
    .head h2 {
      margin: 0;
    }
    .overall {
      display: flex;
      gap: 1rem;
      align-items: center;
      margin: 0.75rem 0;
    }
    .big {
      font-size: 2.2rem;
      font-weight: 700;
      line-height: 1;
    }
    .small {
      font-size: 0.8rem;
    }
    .scores {
      list-style: none;
      padding: 0;
      margin: 0 0 0.75rem;
      display: flex;
      flex-direction: column;
      gap: 0.3rem;
    }
    summary {
      display: grid;
      grid-template-columns: minmax(8rem, 1fr) 2fr 3rem;
      gap: 0.5rem;
      align-items: center;
      cursor: pointer;
    }
    .bar {
      height: 0.55rem;
      background: var(--surface-2);
      border-radius: 999px;
      overflow: hidden;
    }
    .bar span {
      display: block;
      height: 100%;
      background: var(--accent);
    }
    .bar span.low {
      background: var(--warn, #b42318);
    }
    details[open] {
      padding-bottom: 0.4rem;
      border-bottom: 1px solid var(--border);
    }
    .formula {
      margin: 0.4rem 0;
      overflow-wrap: anywhere;
    }
    .rewards {
      margin: 0.4rem 0 0;
    }
    .notes {
      margin: 0 0 0.5rem;
      padding-left: 1.1rem;
      color: var(--muted);
    }
    h3 {
      margin: 1rem 0 0.4rem;
      font-size: 1rem;
    }
    .figures {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr));
      gap: 0.5rem;
      margin: 0;
    }
    .figures div {
      border: 1px solid var(--border);
      border-radius: var(--radius);
      padding: 0.4rem 0.6rem;
    }
    .figures dt {
      font-size: 0.75rem;
      color: var(--muted);
    }
    .figures dd {
      margin: 0;
      font-weight: 600;
    }
    .tabs {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem;
      margin-bottom: 0.5rem;
    }
    .suggestions {
      list-style: none;
      padding: 0;
      margin: 0 0 0.75rem;
      display: flex;
      flex-direction: column;
      gap: 0.6rem;
    }
    .suggestions li {
      border: 1px solid var(--border);
      border-radius: var(--radius);
      padding: 0.5rem 0.7rem;
    }
    .suggestions label {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      cursor: pointer;
    }
    .to {
      font-weight: 700;
    }
    .conf {
      margin-left: auto;
      font-size: 0.8rem;
      color: var(--muted);
    }
    .why {
      margin: 0.3rem 0 0 1.6rem;
      font-size: 0.9rem;
    }
    .created {
      margin-top: 0.75rem;
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
    }
  `,
})
export class RunAnalysisComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  private readonly safe = inject(SafeActivation);
  private readonly confirm = viewChild.required(ActivationConfirmComponent);
  private readonly ask = (preview: ActivationPreview) => this.confirm().ask(preview);
  readonly runId = input.required<number>();

  protected readonly tabs = BREAKDOWN_TABS;
  protected readonly analyses = createLoader(() => this.api.runAnalyses(this.runId()), { immediate: false });
  protected readonly list = computed(() => newestFirst(this.analyses.value() ?? []));
  private readonly picked = signal<number | null>(null);
  protected readonly current = computed<Analysis | null>(() => {
    const list = this.list();
    return list.find((a) => a.analysisId === this.picked()) ?? list[0] ?? null;
  });
  protected readonly scores = computed(() => {
    const a = this.current();
    return a ? scoreRows(a.scores, a.weights) : [];
  });
  protected readonly figures = computed(() => {
    const a = this.current();
    return a ? summaryFigures(a.summary) : [];
  });
  protected readonly tab = signal<BreakdownKey>('asset');
  protected readonly tabLabel = computed(() => this.tabs.find((t) => t.key === this.tab())?.label ?? '');
  protected readonly rows = computed(() => {
    const a = this.current();
    return a ? breakdownRows(a.breakdowns, this.tab()) : [];
  });

  protected readonly checked = signal<ReadonlySet<string>>(new Set());
  protected readonly analysing = signal(false);
  protected readonly applying = signal(false);
  protected readonly created = signal<ConfigVersion | null>(null);
  protected readonly message = signal<{ text: string; bad: boolean } | null>(null);

  protected readonly show = showValue;
  protected readonly pct = percent;

  constructor() {
    effect(() => {
      this.runId();
      untracked(() => {
        this.picked.set(null);
        this.created.set(null);
        void this.analyses.reload();
      });
    });
    // Every suggestion checked when another analysis is shown.
    effect(() => {
      const a = this.current();
      untracked(() => this.checked.set(new Set(a?.suggestions.items.map((s) => s.id) ?? [])));
    });
    inject(LiveEvents).watch(
      ['analysis.completed', 'stream.connected'],
      (events) => {
        if (
          events.some(
            (e) =>
              e.name !== 'analysis.completed' ||
              (e.data as { runId?: number } | null)?.runId === this.runId(),
          )
        )
          void this.analyses.reload();
      },
      500,
    );
  }

  protected pick(id: number): void {
    this.picked.set(id);
    this.created.set(null);
  }

  protected toggle(id: string): void {
    const next = new Set(this.checked());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.checked.set(next);
  }

  protected async analyse(): Promise<void> {
    this.analysing.set(true);
    this.message.set(null);
    try {
      const fresh = await this.api.analyzeRun(this.runId());
      await this.analyses.reload();
      this.picked.set(fresh.analysisId);
      this.created.set(null);
      this.message.set({
        text: `Analysis #${fresh.analysisId} done: score ${fresh.overallScore}.`,
        bad: false,
      });
    } catch (error) {
      this.message.set({ text: apiErrorMessage(error), bad: true });
    } finally {
      this.analysing.set(false);
    }
  }

  protected async apply(): Promise<void> {
    const a = this.current();
    const ids = a ? selectedIds(a.suggestions.items, this.checked()) : null;
    if (!a || !ids) return;
    this.applying.set(true);
    this.message.set(null);
    try {
      const result = await this.api.applySuggestions(
        a.analysisId,
        ids,
        `From analysis #${a.analysisId} of run #${a.runId}`,
      );
      this.created.set(result.config);
      void this.analyses.reload();
    } catch (error) {
      this.message.set({ text: apiErrorMessage(error), bad: true });
    } finally {
      this.applying.set(false);
    }
  }

  protected async activate(): Promise<void> {
    const c = this.created();
    if (!c) return;
    this.applying.set(true);
    try {
      const active = await this.safe.activate(c.id, this.ask);
      if (!active) return;
      this.created.set(active);
      this.message.set({ text: `v${c.version} is active: bots get it at their next poll.`, bad: false });
    } catch (error) {
      this.message.set({ text: apiErrorMessage(error), bad: true });
    } finally {
      this.applying.set(false);
    }
  }
}
