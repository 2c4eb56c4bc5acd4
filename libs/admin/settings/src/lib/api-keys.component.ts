import { ChangeDetectionStrategy, Component, computed, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  AdminApi,
  ApiKey,
  ApiKeyScope,
  CreatedApiKey,
  apiErrorMessage,
  createLoader,
} from '@polymaker/admin/data-access';
import {
  AgoPipe,
  AsyncStateComponent,
  ConfirmComponent,
  IconComponent,
  StatusBadgeComponent,
  TimePipe,
  createSorter,
  injectNow,
} from '@polymaker/admin/ui';

/** API keys: create (generated or chosen value, shown once), revoke, rotate, last used. */
@Component({
  selector: 'pm-api-keys',
  imports: [
    FormsModule,
    AsyncStateComponent,
    ConfirmComponent,
    IconComponent,
    StatusBadgeComponent,
    AgoPipe,
    TimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <form class="create" (ngSubmit)="create()" aria-label="Create an API key" data-testid="create-key-form">
        <div class="field">
          <label for="key-name">Name</label
          ><input id="key-name" name="name" required [(ngModel)]="name" placeholder="trading box 1" />
        </div>
        <div class="field">
          <label for="key-scope">Scope</label>
          <select id="key-scope" name="scope" [(ngModel)]="scope">
            <option value="bot">bot: /api/bot only</option>
            <option value="viewer">viewer: reads the admin app, changes nothing</option>
            <option value="operator">operator: also pause, activate, roll back, apply suggestions</option>
            <option value="admin">admin: everything</option>
          </select>
        </div>
        <div class="field grow">
          <label for="key-value">Value <span class="muted">(optional)</span></label
          ><input
            id="key-value"
            name="value"
            [(ngModel)]="value"
            placeholder="leave empty to generate one"
            autocomplete="off"
            aria-describedby="key-value-help"
          /><span id="key-value-help" class="help"
            >For a bot that already has POLYMAKER_API_KEY in its .env: 16 to 256 characters, no spaces.</span
          >
        </div>
        <button type="submit" class="primary" [disabled]="busy() || !name.trim()" data-testid="create-key">
          <pm-icon name="plus" /> Create key
        </button>
      </form>
      @if (error(); as e) {
        <div class="alert bad" role="alert" data-testid="key-error">{{ e }}</div>
      }
      @if (created(); as c) {
        <div class="alert good secret" role="status" data-testid="new-key">
          <p>
            <strong>{{ c.title }}</strong> Copy it now: it is shown this once.
          </p>
          <div class="copy">
            <code data-testid="new-key-secret">{{ c.created.secret }}</code><button
              type="button"
              (click)="copy(c.created.secret ?? '')"
            >
              <pm-icon name="copy" /> {{ copied() ? 'Copied' : 'Copy' }}</button
            ><button type="button" class="link" (click)="created.set(null)">Done</button>
          </div>
        </div>
      }
      <pm-async-state
        what="keys"
        [pending]="keys.pending()"
        [error]="keys.error()"
        (retry)="keys.reload()"
        [empty]="(keys.value()?.length ?? 0) === 0"
        emptyText="No keys."
      >
        <div class="table-wrap">
          <table class="data" data-testid="keys-table">
            <thead>
              <tr>
                <th scope="col" [attr.aria-sort]="sorter.ariaSort('name')">
                  <button type="button" class="sort" (click)="sorter.toggle('name')">
                    Name {{ sorter.arrow('name') }}
                  </button>
                </th>
                <th scope="col">Scope</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col" [attr.aria-sort]="sorter.ariaSort('lastUsedAt')">
                  <button type="button" class="sort" (click)="sorter.toggle('lastUsedAt')">
                    Last used {{ sorter.arrow('lastUsedAt') }}
                  </button>
                </th>
                <th scope="col" [attr.aria-sort]="sorter.ariaSort('createdAt')">
                  <button type="button" class="sort" (click)="sorter.toggle('createdAt')">
                    Created {{ sorter.arrow('createdAt') }}
                  </button>
                </th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              @for (k of sorter.rows(); track k.id) {
                <tr [attr.data-key-name]="k.name">
                  <td>{{ k.name }}</td>
                  <td>{{ k.scope }}</td>
                  <td>
                    <code>{{ k.prefix }}…</code> <span class="muted small">{{ k.source }}</span>
                  </td>
                  <td>
                    <pm-status-badge [status]="k.active ? 'active' : 'revoked'" />
                    @if (k.active && k.expiresAt) {
                      <span class="muted small">expires {{ k.expiresAt | pmAgo: now() }}</span>
                    }
                  </td>
                  <td>{{ k.lastUsedAt ? (k.lastUsedAt | pmAgo: now()) : 'never' }}</td>
                  <td>{{ k.createdAt | pmTime }}</td>
                  <td class="actions">
                    @if (k.active && k.source !== 'env') {
                      <button type="button" class="link" (click)="ask('rotate', k)" [disabled]="busy()">
                        Rotate
                      </button>
                      <button
                        type="button"
                        class="link danger-link"
                        (click)="ask('revoke', k)"
                        [disabled]="busy()"
                        [attr.data-testid]="'revoke-' + k.name"
                      >
                        Revoke
                      </button>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      </pm-async-state>
    </section>
    <pm-confirm
      #revokeDialog
      [title]="'Revoke “' + (pending()?.name ?? '') + '”?'"
      confirmLabel="Revoke key"
      [danger]="true"
      (confirmed)="revoke()"
      >Anything using this key is refused from now on. This cannot be undone.</pm-confirm
    >
    <pm-confirm
      #rotateDialog
      [title]="'Rotate “' + (pending()?.name ?? '') + '”?'"
      confirmLabel="Rotate key"
      (confirmed)="rotate()"
    >
      A new value is generated and shown once. The old value keeps working for
      <label class="inline" for="grace"
        >grace minutes <input id="grace" type="number" min="0" max="10080" [(ngModel)]="graceMinutes"
      /></label>
      so you can switch the bot over.
    </pm-confirm>
  `,
  styles: `
    .create {
      display: flex;
      flex-wrap: wrap;
      gap: 0.6rem;
      align-items: end;
      margin-bottom: 0.75rem;
    }
    .create .grow {
      flex: 1 1 260px;
    }
    .secret p {
      margin: 0 0 0.4rem;
    }
    .copy {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
    }
    .copy code {
      background: var(--surface);
      color: var(--text);
      padding: 0.35rem 0.5rem;
      border-radius: 4px;
      border: 1px solid var(--border);
      word-break: break-all;
      user-select: all;
    }
    .small {
      font-size: 0.8rem;
    }
    .actions {
      text-align: right;
      white-space: nowrap;
    }
    .danger-link {
      color: var(--bad);
    }
    .inline {
      display: inline-flex;
      gap: 0.35rem;
      align-items: center;
      font-weight: 400;
    }
    .inline input {
      width: 6rem;
    }
  `,
})
export class ApiKeysComponent {
  private readonly api = inject(AdminApi);
  protected readonly now = injectNow(10_000);
  protected readonly keys = createLoader(() => this.api.listKeys());
  protected readonly rows = computed(() => this.keys.value() ?? []);
  protected readonly sorter = createSorter<ApiKey>(this.rows, 'createdAt', 'desc');
  protected name = '';
  protected scope: ApiKeyScope = 'bot';
  protected value = '';
  protected graceMinutes = 0;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly created = signal<{ title: string; created: CreatedApiKey } | null>(null);
  protected readonly copied = signal(false);
  protected readonly pending = signal<ApiKey | null>(null);
  private readonly revokeDialog = viewChild.required<ConfirmComponent>('revokeDialog');
  private readonly rotateDialog = viewChild.required<ConfirmComponent>('rotateDialog');

  protected ask(action: 'revoke' | 'rotate', key: ApiKey): void {
    this.pending.set(key);
    (action === 'revoke' ? this.revokeDialog() : this.rotateDialog()).open();
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await action();
      await this.keys.reload();
    } catch (error) {
      this.error.set(apiErrorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  protected create(): Promise<void> {
    return this.run(async () => {
      const created = await this.api.createKey({
        name: this.name.trim(),
        scope: this.scope,
        value: this.value.trim() || undefined,
      });
      this.created.set({ title: `Key “${created.apiKey.name}” created (${created.apiKey.scope}).`, created });
      this.copied.set(false);
      this.name = '';
      this.value = '';
    });
  }

  protected revoke(): Promise<void> {
    const key = this.pending();
    return key ? this.run(async () => void (await this.api.revokeKey(key.id))) : Promise.resolve();
  }

  protected rotate(): Promise<void> {
    const key = this.pending();
    return key
      ? this.run(async () => {
          const created = await this.api.rotateKey(key.id, { graceMinutes: Number(this.graceMinutes) || 0 });
          this.created.set({ title: `New value for “${created.apiKey.name}”.`, created });
          this.copied.set(false);
        })
      : Promise.resolve();
  }

  protected async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied.set(true);
    } catch {
      this.error.set('The browser refused the clipboard: select the key and copy it by hand.');
    }
  }
}
