import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

/**
 * Loading, error and empty states around a block of content: the content shows once there is data,
 * and stays visible (with its last data) while a refresh runs.
 */
@Component({
  selector: 'pm-async-state',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as message) {
      <div class="alert bad" role="alert">
        <strong>Could not load {{ what() }}.</strong> {{ message }}
        <button type="button" class="link" (click)="retry.emit()">Try again</button>
      </div>
    }
    @if (pending()) {
      <div class="state" role="status" aria-live="polite">
        <span class="spinner" aria-hidden="true"></span> Loading {{ what() }}…
      </div>
    } @else if (empty() && !error()) {
      <div class="state empty">{{ emptyText() }}</div>
    } @else if (!empty()) {
      <ng-content />
    }
  `,
  styles: `
    .state {
      padding: 1.5rem;
      text-align: center;
      color: var(--muted);
      border: 1px dashed var(--border);
      border-radius: var(--radius);
      background: var(--surface);
    }
    .spinner {
      display: inline-block;
      width: 0.9rem;
      height: 0.9rem;
      border: 2px solid var(--border);
      border-top-color: var(--accent);
      border-radius: 50%;
      animation: spin 0.8s linear infinite;
      vertical-align: -2px;
      margin-right: 0.35rem;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .spinner {
        animation: none;
      }
    }
  `,
})
export class AsyncStateComponent {
  readonly what = input('data');
  readonly pending = input(false);
  readonly error = input<string | null>(null);
  readonly empty = input(false);
  readonly emptyText = input('Nothing here yet.');
  readonly retry = output<void>();
}
