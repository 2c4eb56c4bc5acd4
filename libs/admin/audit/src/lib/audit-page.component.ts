import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  AUDIT_ACTIONS,
  AdminApi,
  AuditAction,
  AuditEntry,
  AuditFilter,
  LiveEvents,
  apiErrorMessage,
} from '@polymaker/admin/data-access';
import { AsyncStateComponent, IconComponent, TimePipe } from '@polymaker/admin/ui';
import { localInputToIso, saveBlob } from '@polymaker/admin/util';
import { AuditChange, actionLabel, compactChanges, showAuditValue } from './audit-view';

interface FilterForm {
  action: AuditAction | '';
  apiKeyId: number | null;
  from: string;
  to: string;
}

interface Row {
  entry: AuditEntry;
  changes: AuditChange[];
}

const EMPTY: FilterForm = { action: '', apiKeyId: null, from: '', to: '' };
const PAGE = 50;
const SHOWN_CHANGES = 4;

/** Who changed what when: the audit trail, newest first, with filters, keyset "Load more" and a CSV of the filter. */
@Component({
  selector: 'pm-audit-page',
  imports: [FormsModule, AsyncStateComponent, IconComponent, TimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Audit</h1>
        <p>Every change, newest first: which key made it, when, and what it was before and after.</p>
      </div>
      <div class="toolbar">
        <button type="button" (click)="reload()" [disabled]="loading()">
          <pm-icon name="refresh" /> Refresh
        </button>
        <button type="button" (click)="exportCsv()" [disabled]="exporting()" data-testid="export-audit-csv">
          <pm-icon name="download" /> {{ exporting() ? 'Exporting…' : 'Export CSV' }}
        </button>
      </div>
    </div>
    @if (exportError(); as message) {
      <div class="alert bad" role="alert">{{ message }}</div>
    }
    <form
      class="filters card"
      (ngSubmit)="apply()"
      aria-label="Filter the audit trail"
      data-testid="audit-filters"
    >
      <div class="field">
        <label for="a-action">Action</label>
        <select id="a-action" name="action" [(ngModel)]="form.action">
          <option value="">Any</option>
          @for (a of actions; track a) {
            <option [value]="a">{{ a }}</option>
          }
        </select>
      </div>
      <div class="field">
        <label for="a-key">Key id</label
        ><input id="a-key" name="apiKeyId" type="number" min="1" [(ngModel)]="form.apiKeyId" />
      </div>
      <div class="field">
        <label for="a-from">From</label
        ><input id="a-from" name="from" type="datetime-local" [(ngModel)]="form.from" />
      </div>
      <div class="field">
        <label for="a-to">Before</label
        ><input id="a-to" name="to" type="datetime-local" [(ngModel)]="form.to" />
      </div>
      <div class="toolbar">
        <button type="submit" class="primary" data-testid="apply-audit-filters">Apply</button
        ><button type="button" (click)="reset()">Reset</button>
      </div>
    </form>
    <pm-async-state
      what="the audit trail"
      [pending]="pending()"
      [error]="error()"
      (retry)="reload()"
      [empty]="rows().length === 0"
      emptyText="No change matches these filters."
    >
      <div class="table-wrap">
        <table class="data" data-testid="audit-table">
          <caption class="sr-only">
            Audit entries, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Before → after</th>
            </tr>
          </thead>
          <tbody>
            @for (r of rows(); track r.entry.id) {
              <tr data-testid="audit-row" [attr.data-action]="r.entry.action">
                <td class="when">{{ r.entry.at | pmTime }}</td>
                <td>
                  @if (r.entry.apiKeyId !== null) {
                    <button
                      type="button"
                      class="link"
                      (click)="byKey(r.entry.apiKeyId)"
                      [attr.title]="'Only changes made with key #' + r.entry.apiKeyId"
                    >
                      {{ r.entry.apiKeyName ?? 'key #' + r.entry.apiKeyId }}
                    </button>
                    @if (r.entry.scope) {
                      <span class="badge neutral">{{ r.entry.scope }}</span>
                    }
                  } @else {
                    <span class="muted">the server</span>
                  }
                </td>
                <td>
                  <code>{{ r.entry.action }}</code><span class="sr-only"> ({{ label(r.entry.action) }})</span>
                </td>
                <td>{{ r.entry.targetType }}{{ r.entry.targetId ? ' #' + r.entry.targetId : '' }}</td>
                <td class="diff">
                  @if (r.changes.length) {
                    <ul>
                      @for (c of r.changes.slice(0, shown); track c.path) {
                        <li>
                          <code class="path">{{ c.path }}</code>
                          @if (r.entry.before !== null) {
                            <code class="old">{{ show(c.before) }}</code> →
                          }
                          <code class="new">{{ show(c.after) }}</code>
                        </li>
                      }
                    </ul>
                    @if (r.changes.length > shown) {
                      <details>
                        <summary>{{ r.changes.length - shown }} more</summary>
                        <ul>
                          @for (c of r.changes.slice(shown); track c.path) {
                            <li>
                              <code class="path">{{ c.path }}</code>
                              @if (r.entry.before !== null) {
                                <code class="old">{{ show(c.before) }}</code> →
                              }
                              <code class="new">{{ show(c.after) }}</code>
                            </li>
                          }
                        </ul>
                      </details>
                    }
                  } @else {
                    <span class="muted">no value change recorded</span>
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      <div class="toolbar more">
        <span class="muted" aria-live="polite" data-testid="audit-count"
          >{{ rows().length }} entr{{ rows().length === 1 ? 'y' : 'ies'
          }}{{ nextCursor() ? '' : ' · that is all' }}</span
        >
        @if (nextCursor()) {
          <button type="button" (click)="loadMore()" [disabled]="loading()" data-testid="audit-load-more">
            {{ loading() ? 'Loading…' : 'Load more' }}
          </button>
        }
      </div>
    </pm-async-state>
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: end;
      margin-bottom: 1rem;
    }
    .when {
      white-space: nowrap;
    }
    .diff ul {
      margin: 0;
      padding: 0;
      list-style: none;
      display: flex;
      flex-direction: column;
      gap: 0.15rem;
    }
    .diff code {
      word-break: break-all;
    }
    .diff .path::after {
      content: ':';
      margin-right: 0.4em;
    }
    .diff .old {
      color: var(--bad);
    }
    .diff .new {
      color: var(--good);
    }
    .diff details summary {
      cursor: pointer;
      font-size: 0.85rem;
      color: var(--muted);
    }
    .more {
      justify-content: space-between;
      margin-top: 0.75rem;
    }
  `,
})
export class AuditPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly actions = AUDIT_ACTIONS;
  protected readonly shown = SHOWN_CHANGES;
  protected form: FilterForm = { ...EMPTY };
  private readonly filter = signal<AuditFilter>({});
  private readonly entries = signal<AuditEntry[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly pending = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly exporting = signal(false);
  protected readonly exportError = signal<string | null>(null);
  protected readonly rows = computed<Row[]>(() =>
    this.entries().map((entry) => ({ entry, changes: compactChanges(entry.before, entry.after) })),
  );
  protected readonly show = showAuditValue;
  protected readonly label = actionLabel;
  private sequence = 0;

  constructor() {
    void this.reload();
    // A change made elsewhere shows up on the first page; pages already loaded further down stay as they are.
    inject(LiveEvents).watch(
      ['config.*', 'stream.connected'],
      () => {
        if (!this.loading() && this.entries().length <= PAGE) void this.reload();
      },
      1000,
    );
  }

  /** The first page of the current filter. */
  protected async reload(): Promise<void> {
    await this.fetch(null);
  }

  protected async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor) await this.fetch(cursor);
  }

  private async fetch(cursor: string | null): Promise<void> {
    const mine = ++this.sequence;
    this.loading.set(true);
    try {
      const page = await this.api.listAudit({ ...this.filter(), limit: PAGE }, cursor);
      if (mine !== this.sequence) return;
      this.entries.set(cursor ? [...this.entries(), ...page.items] : page.items);
      this.nextCursor.set(page.nextCursor);
      this.error.set(null);
    } catch (error) {
      if (mine === this.sequence) this.error.set(apiErrorMessage(error));
    } finally {
      if (mine === this.sequence) {
        this.loading.set(false);
        this.pending.set(false);
      }
    }
  }

  protected apply(): void {
    this.filter.set({
      action: this.form.action,
      apiKeyId: this.form.apiKeyId && this.form.apiKeyId > 0 ? this.form.apiKeyId : null,
      from: localInputToIso(this.form.from),
      to: localInputToIso(this.form.to),
    });
    void this.reload();
  }

  protected reset(): void {
    this.form = { ...EMPTY };
    this.apply();
  }

  protected byKey(apiKeyId: number): void {
    this.form = { ...this.form, apiKeyId };
    this.apply();
  }

  protected async exportCsv(): Promise<void> {
    this.exporting.set(true);
    this.exportError.set(null);
    try {
      const { blob, filename } = await this.api.downloadAuditCsv(this.filter());
      saveBlob(blob, filename);
    } catch (error) {
      this.exportError.set(apiErrorMessage(error));
    } finally {
      this.exporting.set(false);
    }
  }
}
