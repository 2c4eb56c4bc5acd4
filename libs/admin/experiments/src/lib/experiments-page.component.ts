import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { AdminApi, AdminSession, LiveEvents, createAction, createLoader } from '@polymaker/admin/data-access';
import { AsyncStateComponent, IconComponent, TimePipe } from '@polymaker/admin/ui';

/**
 * Experiments: the list, and a form to start one (two versions or more, the first the baseline;
 * optionally the candidate assigned to some bots or a tag as it starts). A run's applied suggestions
 * open this form prefilled (`?versions=7,8&from=12`).
 */
@Component({
  selector: 'pm-experiments-page',
  imports: [FormsModule, RouterLink, AsyncStateComponent, IconComponent, TimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Experiments</h1>
        <p>
          Versions compared over the hours each really ran: P&amp;L per hour with its interval, and a plain
          verdict.
        </p>
      </div>
      <div class="toolbar">
        <button type="button" (click)="experiments.reload()"><pm-icon name="refresh" /> Refresh</button>
      </div>
    </div>
    @if (message(); as m) {
      <div class="alert" [class.bad]="m.bad" role="status" data-testid="experiments-message">
        {{ m.text }}
      </div>
    }

    @if (session.can('fleet.manage')) {
      <section class="card" aria-label="Start an experiment" data-testid="experiment-form">
        <h2>Start an experiment</h2>
        <form class="filters" (ngSubmit)="start()">
          <div class="field">
            <label for="ex-name">Name</label
            ><input
              id="ex-name"
              name="name"
              [(ngModel)]="name"
              maxlength="120"
              required
              data-testid="experiment-name"
            />
          </div>
          <div class="field">
            <label for="ex-baseline">Baseline</label>
            <select id="ex-baseline" name="baseline" [(ngModel)]="baseline" data-testid="experiment-baseline">
              <option [ngValue]="null">Choose…</option>
              @for (v of versions.value() ?? []; track v.id) {
                <option [ngValue]="v.id">
                  v{{ v.id }}{{ v.note ? ' — ' + v.note : '' }}{{ v.isActive ? ' (active)' : '' }}
                </option>
              }
            </select>
          </div>
          <div class="field">
            <label for="ex-candidate">Candidate</label>
            <select
              id="ex-candidate"
              name="candidate"
              [(ngModel)]="candidate"
              data-testid="experiment-candidate"
            >
              <option [ngValue]="null">Choose…</option>
              @for (v of versions.value() ?? []; track v.id) {
                <option [ngValue]="v.id">v{{ v.id }}{{ v.note ? ' — ' + v.note : '' }}</option>
              }
            </select>
          </div>
          <div class="field">
            <label for="ex-bots">Try the candidate on</label>
            <select
              id="ex-bots"
              name="bots"
              [(ngModel)]="tryOn"
              multiple
              size="4"
              data-testid="experiment-bots"
            >
              @for (b of bots.value() ?? []; track b.botId) {
                <option [ngValue]="b.botId">{{ b.name }}</option>
              }
            </select>
            <span class="muted small"
              >Those bots are assigned the candidate; the others keep their version. None chosen: assign
              versions yourself (Bots page) or alternate them over time.</span
            >
          </div>
          <div class="toolbar">
            <button
              type="submit"
              class="primary"
              [disabled]="
                busy() || !name || baseline === null || candidate === null || baseline === candidate
              "
              data-testid="experiment-start"
            >
              Start
            </button>
          </div>
        </form>
        @if (sourceAnalysis()) {
          <p class="muted small">From the suggestions of analysis #{{ sourceAnalysis() }}.</p>
        }
      </section>
    }

    <pm-async-state
      what="the experiments"
      [pending]="experiments.pending()"
      [error]="experiments.error()"
      (retry)="experiments.reload()"
      [empty]="(experiments.value() ?? []).length === 0"
      emptyText="No experiment yet."
    >
      <div class="table-wrap">
        <table class="data" data-testid="experiments-table">
          <caption class="sr-only">
            Experiments
          </caption>
          <thead>
            <tr>
              <th scope="col">Experiment</th>
              <th scope="col">Versions</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            @for (e of experiments.value() ?? []; track e.id) {
              <tr data-testid="experiment-row">
                <td>
                  <a [routerLink]="['/experiments', e.id]">{{ e.name }}</a>
                </td>
                <td>{{ versionsLabel(e.configIds) }}</td>
                <td>
                  <span class="badge" [class.good]="e.status === 'promoted'">{{ e.status }}</span>{{
                    e.promotedConfigId ? ' v' + e.promotedConfigId + ' → ' + e.promotedTo : ''
                  }}
                </td>
                <td>{{ e.startedAt | pmTime }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    </pm-async-state>
  `,
})
export class ExperimentsPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  protected readonly session = inject(AdminSession);
  protected readonly experiments = createLoader(() => this.api.listExperiments());
  protected readonly versions = createLoader(() => this.api.listConfigs());
  protected readonly bots = createLoader(() => this.api.listBots());
  private readonly action = createAction(() => this.experiments.reload());
  protected readonly busy = this.action.busy;
  protected readonly message = this.action.message;
  protected readonly sourceAnalysis = signal<number | null>(null);
  protected name = '';
  protected baseline: number | null = null;
  protected candidate: number | null = null;
  protected tryOn: number[] = [];

  constructor() {
    const params = inject(ActivatedRoute).snapshot.queryParamMap;
    const [base, cand] = (params.get('versions') ?? '')
      .split(',')
      .map((v) => (/^[1-9]\d{0,15}$/.test(v) ? Number(v) : null));
    this.baseline = base ?? null;
    this.candidate = cand ?? null;
    const from = params.get('from');
    if (from && /^[1-9]\d{0,15}$/.test(from)) this.sourceAnalysis.set(Number(from));
    if (this.candidate !== null) this.name = `v${this.candidate} against v${this.baseline ?? '?'}`;
    inject(DestroyRef).onDestroy(
      inject(LiveEvents).watch(
        ['experiment.changed', 'stream.connected'],
        () => void this.experiments.reload(),
        1000,
      ),
    );
  }

  protected versionsLabel(ids: number[]): string {
    return ids.map((id, i) => `v${id}${i === 0 ? ' (baseline)' : ''}`).join(' vs ');
  }

  protected async start(): Promise<void> {
    const baseline = this.baseline;
    const candidate = this.candidate;
    if (baseline === null || candidate === null) return;
    let id: number | null = null;
    await this.action.run(async () => {
      const started = await this.api.startExperiment({
        name: this.name.trim(),
        configIds: [baseline, candidate],
        ...(this.tryOn.length ? { assign: this.tryOn.map((botId) => ({ configId: candidate, botId })) } : {}),
        ...(this.sourceAnalysis() ? { sourceAnalysisId: this.sourceAnalysis() ?? undefined } : {}),
      });
      id = started.id;
    }, 'Experiment started.');
    if (id !== null) void this.router.navigate(['/experiments', id]);
  }
}
