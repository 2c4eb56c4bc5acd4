import { ChangeDetectionStrategy, Component, ElementRef, computed, signal, viewChild } from '@angular/core';
import { ActivationPreview, isRiskyActivation } from '@polymaker/admin/util';
import { ValuePipe } from './pipes';

function version(id: number | null): string {
  return id === null ? 'the new version' : `v${id}`;
}

/**
 * The one confirmation for everything that changes what the bots get: activate, roll back, pause, resume,
 * save and activate. Shows the diff against the active version, names the keys that change and says whether
 * pauseOrders or mode changes. `ask(preview)` opens it and resolves true only on the confirm button
 * (Cancel, Escape and a new ask resolve false). Cancel has the focus, so Enter alone never activates.
 */
@Component({
  selector: 'pm-activation-confirm',
  imports: [ValuePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <dialog
      #dialog
      [attr.aria-labelledby]="id + '-title'"
      [attr.aria-describedby]="id + '-summary'"
      (close)="closed()"
      data-testid="activation-confirm"
    >
      <h2 [id]="id + '-title'">{{ title() }}</h2>
      @if (preview(); as p) {
        @if (p.notice) {
          <div class="alert info" role="status">{{ p.notice }}</div>
        }
        <p [id]="id + '-summary'">{{ summary() }}</p>
        @for (w of p.warnings; track w.key) {
          <div
            class="alert"
            [class.bad]="w.tone === 'bad'"
            [class.warn]="w.tone === 'warn'"
            role="alert"
            [attr.data-testid]="'activation-warning-' + w.key"
          >
            <strong>{{ w.text }}</strong>
          </div>
        }
        @for (u of p.unchanged; track u) {
          <p class="steady muted">{{ u }}</p>
        }
        @if (p.changes.length) {
          <p data-testid="activation-keys">
            <strong>{{ keysLine() }}</strong>
          </p>
          <div class="table-wrap">
            <table class="data diff" data-testid="activation-diff">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">{{ p.activeId === null ? 'Now' : 'Now (v' + p.activeId + ')' }}</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                @for (c of p.changes; track c.key) {
                  <tr [attr.data-key]="c.key">
                    <td>
                      <code>{{ c.key }}</code>
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
          </div>
        } @else {
          <p data-testid="activation-keys">No key changes: the bots get the same values as now.</p>
        }
      }
      <div class="toolbar actions">
        <button type="button" (click)="dialog.close('cancel')" autofocus data-testid="activation-cancel">
          Cancel
        </button>
        <button
          type="button"
          [class]="danger() ? 'danger solid' : 'primary'"
          (click)="dialog.close('ok')"
          data-testid="activation-ok"
        >
          {{ confirmLabel() }}
        </button>
      </div>
    </dialog>
  `,
  styles: `
    dialog {
      width: min(94vw, 640px);
      max-width: min(94vw, 640px);
      max-height: 90vh;
      overflow: auto;
    }
    h2 {
      margin-top: 0;
    }
    .steady {
      margin: 0.25rem 0;
      font-size: 0.9rem;
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
    .actions {
      justify-content: flex-end;
      margin-top: 1rem;
    }
  `,
})
export class ActivationConfirmComponent {
  private static counter = 0;
  protected readonly id = `pm-activation-${++ActivationConfirmComponent.counter}`;
  protected readonly preview = signal<ActivationPreview | null>(null);
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private resolve: ((confirmed: boolean) => void) | null = null;

  protected readonly title = computed(() => {
    const p = this.preview();
    if (!p) return '';
    switch (p.action) {
      case 'rollback':
        return `Roll back to ${version(p.targetId)}?`;
      case 'pause':
        return 'Pause order placement?';
      case 'resume':
        return 'Resume order placement?';
      case 'save-activate':
        return 'Save and activate?';
      default:
        return `Activate ${version(p.targetId)}?`;
    }
  });

  protected readonly confirmLabel = computed(() => {
    const p = this.preview();
    if (!p) return 'Confirm';
    switch (p.action) {
      case 'rollback':
        return `Roll back to ${version(p.targetId)}`;
      case 'pause':
        return 'Pause orders';
      case 'resume':
        return 'Resume orders';
      case 'save-activate':
        return 'Save and activate';
      default:
        return `Activate ${version(p.targetId)}`;
    }
  });

  protected readonly summary = computed(() => {
    const p = this.preview();
    if (!p) return '';
    if (p.activeId === null)
      return `No version is active yet: every bot gets ${version(p.targetId)} at its next config poll.`;
    const now = `v${p.activeId}`;
    switch (p.action) {
      case 'pause':
      case 'resume':
        return `Makes a new version of ${now} (what the bots get now) with pauseOrders ${p.action === 'pause' ? 'on' : 'off'} and activates it; every bot follows at its next config poll.`;
      case 'save-activate':
        return `Saves your edit as a new version and activates it: every bot switches from ${now} (what they get now) at its next config poll.`;
      default:
        return `Every bot switches from ${now} (what they get now) to ${version(p.targetId)} at its next config poll.`;
    }
  });

  protected readonly keysLine = computed(() => {
    const changes = this.preview()?.changes ?? [];
    return `${changes.length} key${changes.length === 1 ? '' : 's'} change: ${changes.map((c) => c.key).join(', ')}`;
  });

  protected readonly danger = computed(() => {
    const p = this.preview();
    return !!p && (isRiskyActivation(p) || p.action === 'pause' || p.action === 'rollback');
  });

  /** Opens the dialog for this preview; true when the person confirmed. */
  ask(preview: ActivationPreview): Promise<boolean> {
    this.resolve?.(false);
    this.preview.set(preview);
    const el = this.dialog().nativeElement;
    el.returnValue = '';
    if (!el.open) {
      if (typeof el.showModal === 'function') el.showModal();
      else el.setAttribute('open', '');
    }
    return new Promise<boolean>((resolve) => (this.resolve = resolve));
  }

  protected closed(): void {
    const confirmed = this.dialog().nativeElement.returnValue === 'ok';
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.(confirmed);
  }
}
