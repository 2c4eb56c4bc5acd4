import { ChangeDetectionStrategy, Component, ElementRef, input, output, viewChild } from '@angular/core';

/** A confirmation dialog (native <dialog>: focus trap, Escape to cancel). Call open(). */
@Component({
  selector: 'pm-confirm',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <dialog #dialog [attr.aria-labelledby]="id + '-title'" (close)="closed()">
      <h2 [id]="id + '-title'">{{ title() }}</h2>
      <p><ng-content /></p>
      <div class="toolbar actions">
        <button type="button" (click)="dialog.close('cancel')">Cancel</button>
        <button
          type="button"
          [class]="danger() ? 'danger solid' : 'primary'"
          (click)="dialog.close('ok')"
          autofocus
        >
          {{ confirmLabel() }}
        </button>
      </div>
    </dialog>
  `,
  styles: `
    .actions {
      justify-content: flex-end;
      margin-top: 1rem;
    }
  `,
})
export class ConfirmComponent {
  private static counter = 0;
  protected readonly id = `pm-confirm-${++ConfirmComponent.counter}`;
  readonly title = input.required<string>();
  readonly confirmLabel = input('Confirm');
  readonly danger = input(false);
  readonly confirmed = output<void>();
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');

  open(): void {
    const el = this.dialog().nativeElement;
    el.returnValue = '';
    if (typeof el.showModal === 'function') el.showModal();
    else el.setAttribute('open', '');
  }

  protected closed(): void {
    if (this.dialog().nativeElement.returnValue === 'ok') this.confirmed.emit();
  }
}
