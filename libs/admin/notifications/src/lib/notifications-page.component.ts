import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import {
  AdminApi,
  AdminSession,
  Delivery,
  LiveEvents,
  NotificationItem,
  NotificationList,
  apiErrorMessage,
  createLoader,
} from '@polymaker/admin/data-access';
import { AsyncStateComponent, StatusBadgeComponent, TimePipe } from '@polymaker/admin/ui';
import { KIND_LABELS, deliverySummary, replaceItem } from './notification-view';

/** The in-app inbox (read/unread, each notification's deliveries) and the delivery log of every channel. */
@Component({
  selector: 'pm-notifications-page',
  imports: [RouterLink, AsyncStateComponent, StatusBadgeComponent, TimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Notifications</h1>
        <p>What the server told you, and where it delivered it (email, webhook, Telegram).</p>
      </div>
      <div class="toolbar">
        <label class="check"
          ><input
            type="checkbox"
            [checked]="unreadOnly()"
            (change)="setUnreadOnly($any($event.target).checked)"
            data-testid="unread-only"
          />
          Unread only</label
        >
        @if (session.can('notifications.mark-read')) {
          <button
            type="button"
            (click)="readAll()"
            [disabled]="busy() || unread() === 0"
            data-testid="read-all"
          >
            Mark all read
          </button>
        }
      </div>
    </div>
    @if (message(); as m) {
      <div class="alert bad" role="alert">{{ m }}</div>
    }
    <section class="card" aria-labelledby="inbox-title">
      <h2 id="inbox-title">
        Inbox <span class="muted small" data-testid="unread-count">{{ unread() }} unread</span>
      </h2>
      <pm-async-state
        what="the inbox"
        [pending]="inbox.pending()"
        [error]="inbox.error()"
        (retry)="inbox.reload()"
        [empty]="items().length === 0"
        [emptyText]="
          unreadOnly()
            ? 'Nothing unread.'
            : 'Nothing in the inbox yet. Runs that stop, fail or go stale and a low wallet show up here.'
        "
      >
        <ul class="inbox" data-testid="inbox">
          @for (n of items(); track n.id) {
            <li [class.unread]="!n.read" [attr.data-notification]="n.id" [attr.data-kind]="n.kind">
              <div class="line">
                <pm-status-badge [status]="n.severity" />
                <span class="kind">{{ kinds[n.kind] }}</span>
                <strong class="title">{{ n.title }}</strong>
                @if (!n.read) {
                  <pm-status-badge status="unread" />
                }
                <span class="muted small when">{{ n.createdAt | pmTime }}</span>
              </div>
              <details>
                <summary>
                  <span class="muted small">{{ summary(n.deliveries) }}</span>
                </summary>
                <pre class="text">{{ n.text }}</pre>
                @if (n.deliveries.length) {
                  <div class="table-wrap">
                    <table class="data">
                      <caption class="sr-only">
                        Deliveries of notification
                        {{
                          n.id
                        }}
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">Channel</th>
                          <th scope="col">Target</th>
                          <th scope="col">Status</th>
                          <th scope="col" class="num">Attempts</th>
                          <th scope="col">Last error</th>
                          <th scope="col">Next attempt</th>
                          <th scope="col">Delivered</th>
                        </tr>
                      </thead>
                      <tbody>
                        @for (d of n.deliveries; track d.id) {
                          <tr>
                            <td>{{ d.channel }}</td>
                            <td class="mono">{{ d.target }}</td>
                            <td><pm-status-badge [status]="d.status" /></td>
                            <td class="num">{{ d.attempts }}</td>
                            <td class="err">{{ d.lastError ?? '—' }}</td>
                            <td>{{ d.nextAttemptAt | pmTime }}</td>
                            <td>{{ d.deliveredAt | pmTime }}</td>
                          </tr>
                        }
                      </tbody>
                    </table>
                  </div>
                }
              </details>
              <div class="actions">
                @if (n.runId) {
                  <a [routerLink]="['/runs', n.runId]">Run #{{ n.runId }}</a>
                }
                @if (session.can('notifications.mark-read')) {
                  @if (n.read) {
                    <button
                      type="button"
                      class="link"
                      (click)="mark(n, false)"
                      [disabled]="busy()"
                      [attr.data-testid]="'mark-unread-' + n.id"
                    >
                      Mark unread
                    </button>
                  } @else {
                    <button
                      type="button"
                      class="link"
                      (click)="mark(n, true)"
                      [disabled]="busy()"
                      [attr.data-testid]="'mark-read-' + n.id"
                    >
                      Mark read
                    </button>
                  }
                }
              </div>
            </li>
          }
        </ul>
        @if (total() > items().length) {
          <p class="muted small">Showing the latest {{ items().length }} of {{ total() }}.</p>
        }
      </pm-async-state>
    </section>
    <section class="card section" aria-labelledby="log-title">
      <h2 id="log-title">Delivery log</h2>
      <pm-async-state
        what="the delivery log"
        [pending]="deliveries.pending()"
        [error]="deliveries.error()"
        (retry)="deliveries.reload()"
        [empty]="deliveryItems().length === 0"
        emptyText="No deliveries yet: no email, webhook or Telegram channel is enabled, or nothing was sent."
      >
        <div class="table-wrap">
          <table class="data" data-testid="delivery-log">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Notification</th>
                <th scope="col">Channel</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Created</th>
                <th scope="col">Delivered</th>
              </tr>
            </thead>
            <tbody>
              @for (d of deliveryItems(); track d.id) {
                <tr>
                  <td>{{ d.id }}</td>
                  <td>#{{ d.notificationId }}</td>
                  <td>{{ d.channel }}</td>
                  <td class="mono">{{ d.target }}</td>
                  <td><pm-status-badge [status]="d.status" /></td>
                  <td class="num">{{ d.attempts }}</td>
                  <td class="err">{{ d.lastError ?? '—' }}</td>
                  <td>{{ d.nextAttemptAt | pmTime }}</td>
                  <td>{{ d.createdAt | pmTime }}</td>
                  <td>{{ d.deliveredAt | pmTime }}</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      </pm-async-state>
    </section>
  `,
  styles: `
    .section {
      margin-top: 1rem;
    }
    .small {
      font-size: 0.8rem;
      font-weight: 400;
    }
    .check {
      display: inline-flex;
      gap: 0.35rem;
      align-items: center;
    }
    .inbox {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
    }
    .inbox li {
      border-bottom: 1px solid var(--border);
      padding: 0.55rem 0 0.55rem 0.6rem;
      border-left: 3px solid transparent;
    }
    .inbox li.unread {
      border-left-color: var(--accent);
    }
    .inbox li.unread .title {
      font-weight: 700;
    }
    .title {
      font-weight: 500;
    }
    .line {
      display: flex;
      flex-wrap: wrap;
      gap: 0.45rem;
      align-items: center;
    }
    .kind {
      font-size: 0.8rem;
      color: var(--muted);
    }
    .when {
      margin-left: auto;
    }
    summary {
      cursor: pointer;
      margin-top: 0.2rem;
    }
    .text {
      white-space: pre-wrap;
      word-break: break-word;
      font-size: 0.85rem;
      background: var(--surface-2);
      padding: 0.5rem;
      border-radius: var(--radius);
    }
    .actions {
      display: flex;
      gap: 0.75rem;
      align-items: center;
      font-size: 0.85rem;
      margin-top: 0.2rem;
    }
    .err {
      max-width: 28ch;
      word-break: break-word;
    }
  `,
})
export class NotificationsPageComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  protected readonly kinds = KIND_LABELS;
  protected readonly unreadOnly = signal(false);
  protected readonly busy = signal(false);
  protected readonly message = signal<string | null>(null);
  protected readonly inbox = createLoader<NotificationList>(() =>
    this.api.listNotifications({ unread: this.unreadOnly() || undefined, limit: 100 }),
  );
  protected readonly deliveries = createLoader(() => this.api.listDeliveries({ limit: 100 }));
  protected readonly items = computed(() => this.inbox.value()?.items ?? []);
  protected readonly unread = computed(() => this.inbox.value()?.unread ?? 0);
  protected readonly total = computed(() => this.inbox.value()?.total ?? 0);
  protected readonly deliveryItems = computed(() => this.deliveries.value()?.items ?? []);
  protected readonly summary = (deliveries: readonly Delivery[]) => deliverySummary(deliveries);

  constructor() {
    inject(LiveEvents).watch(
      [
        'notification.*',
        'wallet.low-balance',
        'analysis.completed',
        'run.stopped',
        'run.stale',
        'stream.connected',
      ],
      () => this.reload(),
      1000,
    );
  }

  protected setUnreadOnly(on: boolean): void {
    this.unreadOnly.set(on);
    void this.inbox.reload();
  }

  protected async mark(n: NotificationItem, read: boolean): Promise<void> {
    this.busy.set(true);
    this.message.set(null);
    try {
      const updated = read ? await this.api.markRead(n.id) : await this.api.markUnread(n.id);
      const list = this.inbox.value();
      if (list) {
        const next = replaceItem(list.items, updated, list.unread);
        this.inbox.set({
          ...list,
          items: this.unreadOnly() ? next.items.filter((i) => !i.read) : next.items,
          unread: next.unread,
        });
      }
    } catch (error) {
      this.message.set(apiErrorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  protected async readAll(): Promise<void> {
    this.busy.set(true);
    this.message.set(null);
    try {
      await this.api.markAllRead();
      await this.inbox.reload();
    } catch (error) {
      this.message.set(apiErrorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  private reload(): void {
    void this.inbox.reload();
    void this.deliveries.reload();
  }
}
