import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

const TONES: Record<string, string> = {
  running: 'good',
  filled: 'good',
  active: 'good',
  live: 'bad',
  completed: 'info',
  placed: 'info',
  dry_run: 'neutral',
  stopped: 'neutral',
  cancelled: 'neutral',
  revoked: 'neutral',
  stale: 'warn',
  paused: 'warn',
  expiring: 'warn',
  error: 'bad',
  failed: 'bad',
  sent: 'good',
  ok: 'good',
  pending: 'warn',
  thin: 'warn',
  warning: 'warn',
  critical: 'bad',
  info: 'info',
  unread: 'info',
  best: 'good',
};

/** A coloured pill for a status; the text always carries the meaning (never colour alone). */
@Component({
  selector: 'pm-status-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'badge ' + tone()">{{ label() }}</span>`,
})
export class StatusBadgeComponent {
  readonly status = input.required<string>();
  protected readonly tone = computed(() => TONES[this.status()] ?? 'neutral');
  protected readonly label = computed(() => (this.status() === 'dry_run' ? 'dry run' : this.status()));
}
