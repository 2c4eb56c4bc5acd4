import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { AdminApi, LiveEvents, createLoader } from '@polymaker/admin/data-access';
import { AsyncStateComponent, TimePipe, ValuePipe } from '@polymaker/admin/ui';

interface InboxItem {
  id: number | string;
  title?: string;
  message?: string;
  kind?: string;
  level?: string;
  createdAt?: string;
  at?: string;
  [key: string]: unknown;
}

function itemsOf(value: unknown): InboxItem[] {
  if (Array.isArray(value)) return value as InboxItem[];
  const items = (value as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? (items as InboxItem[]) : [];
}

/**
 * Inbox and delivery log. The back-office endpoints are not in the committed spec yet; this page reads them
 * when the server has them (404 → an explanation instead of an error).
 */
@Component({
  selector: 'pm-notifications-page',
  imports: [AsyncStateComponent, TimePipe, ValuePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head"><div><h1>Notifications</h1><p>What the server told you, and where it delivered it.</p></div></div>
    @if (unavailable()) {
      <div class="alert info" role="status" data-testid="notifications-unavailable">This server does not provide notifications yet. The inbox and delivery log appear here once the back-office API is deployed.</div>
    }
    <div class="grid grid-2">
      <section class="card" aria-labelledby="inbox-title">
        <h2 id="inbox-title">Inbox</h2>
        <pm-async-state what="the inbox" [pending]="inbox.pending()" [error]="inbox.error()" (retry)="inbox.reload()" [empty]="inboxItems().length === 0" emptyText="Nothing in the inbox.">
          <ul class="list">
            @for (n of inboxItems(); track n.id) {
              <li><strong>{{ n.title ?? n.kind ?? 'Notification' }}</strong> <span class="muted">{{ (n.createdAt ?? n.at) | pmTime }}</span><br />{{ n.message ?? (n | pmValue) }}</li>
            }
          </ul>
        </pm-async-state>
      </section>
      <section class="card" aria-labelledby="log-title">
        <h2 id="log-title">Delivery log</h2>
        <pm-async-state what="the delivery log" [pending]="deliveries.pending()" [error]="deliveries.error()" (retry)="deliveries.reload()" [empty]="deliveryItems().length === 0" emptyText="No deliveries yet.">
          <ul class="list">
            @for (d of deliveryItems(); track d.id) {
              <li><code>{{ d | pmValue }}</code></li>
            }
          </ul>
        </pm-async-state>
      </section>
    </div>
  `,
  styles: `.list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.5rem; } .list li { border-bottom: 1px solid var(--border); padding-bottom: 0.4rem; word-break: break-word; }`,
})
export class NotificationsPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly inbox = createLoader(() => this.api.optional<unknown>('/api/v1/notifications'));
  protected readonly deliveries = createLoader(() => this.api.optional<unknown>('/api/v1/notification-deliveries'));
  protected readonly unavailable = computed(() => this.inbox.value() === null && this.deliveries.value() === null);
  protected readonly inboxItems = computed(() => itemsOf(this.inbox.value()));
  protected readonly deliveryItems = computed(() => itemsOf(this.deliveries.value()));

  constructor() {
    inject(LiveEvents).watch(['notification.*', 'wallet.*', 'analysis.*'], () => {
      void this.inbox.reload();
      void this.deliveries.reload();
    }, 1000);
  }
}
