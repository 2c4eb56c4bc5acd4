import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { AdminApi, AdminSession, LiveEvents, createAction, createLoader } from '@polymaker/admin/data-access';
import {
  AsyncStateComponent,
  ConfirmComponent,
  DecimalPipe,
  IconComponent,
  TimePipe,
} from '@polymaker/admin/ui';
import { map } from 'rxjs';

/** How often the page re-reads a running experiment (its segments grow as the bots run). */
const REFRESH_MS = 10_000;

/** What the page calls each score (engine 3's names; an older analysis's names are shown as stored). */
const SCORE_LABELS: Record<string, string> = {
  overall: 'Overall',
  spreadCapture: 'Spread capture',
  inventory: 'Inventory',
  hedging: 'Hedging',
  risk: 'Risk',
  capitalReturn: 'Return on capital',
};

interface ScoredVersion {
  subScores: { name: string; mean: number | null; low: number | null; high: number | null }[];
}

/**
 * One experiment: per version, hours, runs, realised P&L, P&L per hour with its interval, fill rate
 * and drawdown; each version's verdict against the baseline; stop, and promote the winner as the fleet
 * default or a tag's version (confirmed, audited).
 */
@Component({
  selector: 'pm-experiment-page',
  imports: [
    FormsModule,
    RouterLink,
    AsyncStateComponent,
    ConfirmComponent,
    DecimalPipe,
    IconComponent,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/experiments">← Experiments</a></p>
    <pm-async-state
      what="the experiment"
      [pending]="experiment.pending()"
      [error]="experiment.error()"
      (retry)="experiment.reload()"
    >
      @if (experiment.value(); as e) {
        <div class="page-head">
          <div>
            <h1 data-testid="experiment-title">{{ e.name }}</h1>
            <p>
              <span class="badge" [class.good]="e.status === 'promoted'" data-testid="experiment-status">{{
                e.status
              }}</span>
              since {{ e.startedAt | pmTime }}{{ e.createdBy ? ' by ' + e.createdBy : '' }} · {{ e.window }}
              @if (e.promotedConfigId) {
                · v{{ e.promotedConfigId }} promoted to
                {{ e.promotedTo === 'fleet' ? 'the fleet default' : e.promotedTo }}
              }
            </p>
          </div>
          <div class="toolbar">
            <button type="button" (click)="experiment.reload()"><pm-icon name="refresh" /> Refresh</button>
            @if (session.can('fleet.manage') && e.status === 'running') {
              <button type="button" (click)="stop()" [disabled]="busy()" data-testid="experiment-stop">
                Stop
              </button>
            }
          </div>
        </div>
        @if (message(); as m) {
          <div class="alert" [class.bad]="m.bad" role="status" data-testid="experiment-message">
            {{ m.text }}
          </div>
        }

        <section class="card" aria-label="Verdicts" data-testid="experiment-verdicts">
          @for (c of e.comparisons; track c.configId) {
            <p
              class="verdict"
              [class.good]="c.significant && (c.difference ?? 0) > 0"
              data-testid="experiment-verdict"
            >
              <strong>{{ c.verdict }}</strong>
            </p>
          }
          <p class="muted small">{{ e.method }}</p>
        </section>

        <section class="card" aria-label="Versions">
          <div class="table-wrap">
            <table class="data" data-testid="experiment-versions">
              <caption class="sr-only">
                Versions of the experiment
              </caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col" class="num">Hours</th>
                  <th scope="col" class="num">Runs</th>
                  <th scope="col" class="num">Realised P&amp;L</th>
                  <th scope="col" class="num">P&amp;L / h (95 % interval)</th>
                  <th scope="col" class="num">Fill rate</th>
                  <th scope="col" class="num">Max drawdown</th>
                  @if (session.can('fleet.manage')) {
                    <th scope="col">Promote</th>
                  }
                </tr>
              </thead>
              <tbody>
                @for (v of e.versions; track v.configId; let first = $first) {
                  <tr data-testid="experiment-version" [attr.data-config]="v.configId">
                    <th scope="row">
                      <a [routerLink]="['/configs', v.configId]">v{{ v.configId }}</a
                      >{{ v.note ? ' — ' + v.note : '' }}{{ first ? ' (baseline)' : '' }}
                    </th>
                    <td class="num">{{ v.hours }}</td>
                    <td class="num">{{ v.runs }}</td>
                    <td class="num">{{ v.pnl | pmDecimal }}</td>
                    <td class="num">
                      {{ v.pnlPerHour === null ? '—' : (v.pnlPerHour | pmDecimal) }}
                      @if (v.pnlPerHourLow !== null) {
                        <span class="muted small">
                          ({{ v.pnlPerHourLow | pmDecimal }} to {{ v.pnlPerHourHigh | pmDecimal }})</span
                        >
                      }
                    </td>
                    <td class="num">
                      {{ v.fillRate === null ? '—' : (v.fillRate * 100).toFixed(1) + ' %' }}
                    </td>
                    <td class="num">{{ v.maxDrawdown | pmDecimal }}</td>
                    @if (session.can('fleet.manage')) {
                      <td>
                        @if (e.status !== 'promoted') {
                          <button
                            type="button"
                            class="small"
                            (click)="askPromote(v.configId)"
                            [disabled]="busy()"
                            [attr.data-testid]="'promote-' + v.configId"
                          >
                            Promote…
                          </button>
                        }
                      </td>
                    }
                  </tr>
                }
              </tbody>
            </table>
          </div>
        </section>

        @if (scoreNames(e.versions).length) {
          <section class="card" aria-label="Scores">
            <h2>Scores by version</h2>
            <div class="table-wrap">
              <table class="data" data-testid="experiment-scores">
                <caption class="sr-only">
                  Scores of each version, with 95 % intervals
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Score</th>
                    @for (v of e.versions; track v.configId) {
                      <th scope="col" class="num">v{{ v.configId }}</th>
                    }
                  </tr>
                </thead>
                <tbody>
                  @for (name of scoreNames(e.versions); track name) {
                    <tr data-testid="experiment-score" [attr.data-score]="name">
                      <th scope="row">{{ scoreLabel(name) }}</th>
                      @for (v of e.versions; track v.configId) {
                        @let s = scoreOf(v, name);
                        <td class="num">
                          {{ s?.mean ?? '—' }}
                          @if (s && s.low !== null) {
                            <span class="muted small"> ({{ s.low }} to {{ s.high }})</span>
                          }
                        </td>
                      }
                    </tr>
                  }
                </tbody>
              </table>
            </div>
            <p class="muted small">
              0-100. Each run's analysis scores, weighted by its hours under the version; the interval is the
              95 % bootstrap interval over segments (shown from 3 scored segments).
            </p>
          </section>
        }
      }
    </pm-async-state>
    <pm-confirm
      #promoteDialog
      [title]="'Promote v' + (promoting() ?? '') + '?'"
      confirmLabel="Promote"
      (confirmed)="promote()"
    >
      <div class="field">
        <label for="promote-to">Make it</label>
        <select id="promote-to" [(ngModel)]="promoteTo" data-testid="promote-to">
          <option value="fleet">the fleet default (activate it)</option>
          <option value="tag">the version of a tag</option>
        </select>
      </div>
      @if (promoteTo === 'tag') {
        <div class="field">
          <label for="promote-tag">Tag</label
          ><input id="promote-tag" [(ngModel)]="promoteTag" maxlength="40" data-testid="promote-tag" />
        </div>
      }
      The bots it reaches get it at their next config poll; the experiment ends and the audit log records it.
    </pm-confirm>
  `,
})
export class ExperimentPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  protected readonly id = toSignal(inject(ActivatedRoute).paramMap.pipe(map((p) => Number(p.get('id')))), {
    requireSync: true,
  });
  protected readonly experiment = createLoader(() => this.api.getExperiment(this.id()));
  private readonly action = createAction(() => this.experiment.reload());
  protected readonly busy = this.action.busy;
  protected readonly message = this.action.message;
  protected readonly promoting = signal<number | null>(null);
  protected promoteTo: 'fleet' | 'tag' = 'fleet';
  protected promoteTag = '';
  private readonly promoteDialog = viewChild.required<ConfirmComponent>('promoteDialog');

  constructor() {
    const destroy = inject(DestroyRef);
    destroy.onDestroy(
      inject(LiveEvents).watch(
        ['experiment.changed', 'run.stopped', 'stream.connected'],
        () => void this.experiment.reload(),
        2000,
      ),
    );
    const timer = setInterval(() => {
      if (this.experiment.value()?.status === 'running') void this.experiment.reload();
    }, REFRESH_MS);
    destroy.onDestroy(() => clearInterval(timer));
  }

  /** Every score any version has, overall first, in the order the versions list them. */
  protected scoreNames(versions: readonly ScoredVersion[]): string[] {
    return [...new Set(versions.flatMap((v) => v.subScores.map((s) => s.name)))];
  }

  protected scoreOf(version: ScoredVersion, name: string): ScoredVersion['subScores'][number] | undefined {
    return version.subScores.find((s) => s.name === name);
  }

  protected scoreLabel(name: string): string {
    return SCORE_LABELS[name] ?? name;
  }

  protected askPromote(configId: number): void {
    this.promoting.set(configId);
    this.promoteDialog().open();
  }

  protected promote(): Promise<void> {
    const configId = this.promoting();
    if (configId === null) return Promise.resolve();
    const target =
      this.promoteTo === 'tag'
        ? { to: 'tag' as const, tag: this.promoteTag.trim() }
        : { to: 'fleet' as const };
    return this.action.run(
      () => this.api.promoteExperiment(this.id(), configId, target),
      `v${configId} promoted to ${target.to === 'fleet' ? 'the fleet default' : `tag ${this.promoteTag.trim()}`}: bots get it at their next poll.`,
    );
  }

  protected stop(): Promise<void> {
    return this.action.run(() => this.api.stopExperiment(this.id()), 'Experiment stopped.');
  }
}
