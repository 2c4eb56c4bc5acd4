import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  AdminApi,
  AdminSession,
  ChannelTest,
  Channels,
  apiErrorMessage,
  createLoader,
} from '@polymaker/admin/data-access';
import { AsyncStateComponent, StatusBadgeComponent } from '@polymaker/admin/ui';
import {
  EmailForm,
  TelegramForm,
  WebhookForm,
  emailForm,
  emailUpdate,
  parseThreshold,
  parseWatch,
  telegramForm,
  telegramUpdate,
  webhookForm,
  webhookUpdate,
} from './channel-form';

type Channel = 'email' | 'webhook' | 'telegram';
interface Notice {
  text: string;
  bad: boolean;
}

/** Email, webhook and Telegram channels (with "send test"), the wallet's low-balance threshold and the metric retention. */
@Component({
  selector: 'pm-back-office-settings',
  imports: [FormsModule, AsyncStateComponent, StatusBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (session.can('channels.manage')) {
      <section class="card" aria-labelledby="channels-title" data-testid="channels">
        <h2 id="channels-title">Notification channels</h2>
        <p class="muted">
          Every notification lands in the in-app inbox; these channels also send it. Empty fields go back to
          the server's environment value.
        </p>
        <pm-async-state
          what="channels"
          [pending]="channels.pending()"
          [error]="channels.error()"
          (retry)="channels.reload()"
          [empty]="!channels.value()"
        >
          @if (channels.value(); as c) {
            <div class="grid grid-2">
              <form
                class="channel"
                (ngSubmit)="saveEmail(c)"
                aria-labelledby="email-title"
                data-testid="email-channel"
              >
                <h3 id="email-title">
                  Email
                  <pm-status-badge
                    [status]="c.email.configured ? (c.email.enabled ? 'active' : 'paused') : 'not configured'"
                  />
                </h3>
                <label class="check"
                  ><input type="checkbox" name="emailEnabled" [(ngModel)]="email.enabled" /> Send
                  notifications by email</label
                >
                <div class="field">
                  <label for="smtp-url">SMTP URL</label
                  ><input
                    id="smtp-url"
                    name="smtpUrl"
                    [(ngModel)]="email.smtpUrl"
                    placeholder="smtp://user:pass@host:587"
                    autocomplete="off"
                    aria-describedby="smtp-help"
                  /><span id="smtp-help" class="help"
                    >The password is shown as ***; leave it to keep the current one.</span
                  >
                </div>
                <div class="field">
                  <label for="email-from">From</label
                  ><input id="email-from" name="from" [(ngModel)]="email.from" />
                </div>
                <div class="field">
                  <label for="email-to">To</label
                  ><input
                    id="email-to"
                    name="to"
                    [(ngModel)]="email.to"
                    placeholder="ops@example.org, me@example.org"
                  />
                </div>
                <div class="toolbar">
                  <button type="submit" class="primary" [disabled]="busy()" data-testid="save-email">
                    Save
                  </button>
                  <button type="button" (click)="test('email')" [disabled]="busy()" data-testid="test-email">
                    Send test
                  </button>
                </div>
                @if (notice()['email']; as n) {
                  <div
                    class="alert"
                    [class.good]="!n.bad"
                    [class.bad]="n.bad"
                    [attr.role]="n.bad ? 'alert' : 'status'"
                    data-testid="email-result"
                  >
                    {{ n.text }}
                  </div>
                }
              </form>
              <form
                class="channel"
                (ngSubmit)="saveWebhook(c)"
                aria-labelledby="webhook-title"
                data-testid="webhook-channel"
              >
                <h3 id="webhook-title">
                  Webhook
                  <pm-status-badge
                    [status]="
                      c.webhook.configured ? (c.webhook.enabled ? 'active' : 'paused') : 'not configured'
                    "
                  />
                </h3>
                <label class="check"
                  ><input type="checkbox" name="webhookEnabled" [(ngModel)]="webhook.enabled" /> Send
                  notifications to the webhook</label
                >
                <div class="field">
                  <label for="webhook-url">URL</label
                  ><input
                    id="webhook-url"
                    name="url"
                    [(ngModel)]="webhook.url"
                    placeholder="https://discord.com/api/webhooks/…"
                    autocomplete="off"
                    aria-describedby="webhook-help"
                  /><span id="webhook-help" class="help"
                    >The secret part is hidden; leave it to keep the current one.</span
                  >
                </div>
                <div class="field">
                  <label for="webhook-format">Body format</label>
                  <select id="webhook-format" name="format" [(ngModel)]="webhook.format">
                    <option value="generic">generic JSON</option>
                    <option value="discord">Discord</option>
                    <option value="slack">Slack</option>
                  </select>
                </div>
                <div class="toolbar">
                  <button type="submit" class="primary" [disabled]="busy()" data-testid="save-webhook">
                    Save
                  </button>
                  <button
                    type="button"
                    (click)="test('webhook')"
                    [disabled]="busy()"
                    data-testid="test-webhook"
                  >
                    Send test
                  </button>
                </div>
                @if (notice()['webhook']; as n) {
                  <div
                    class="alert"
                    [class.good]="!n.bad"
                    [class.bad]="n.bad"
                    [attr.role]="n.bad ? 'alert' : 'status'"
                    data-testid="webhook-result"
                  >
                    {{ n.text }}
                  </div>
                }
              </form>
              <form
                class="channel"
                (ngSubmit)="saveTelegram(c)"
                aria-labelledby="telegram-title"
                data-testid="telegram-channel"
              >
                <h3 id="telegram-title">
                  Telegram
                  <pm-status-badge
                    [status]="
                      c.telegram.configured ? (c.telegram.enabled ? 'active' : 'paused') : 'not configured'
                    "
                  />
                </h3>
                <label class="check"
                  ><input type="checkbox" name="telegramEnabled" [(ngModel)]="telegram.enabled" /> Send
                  notifications to Telegram</label
                >
                <div class="field">
                  <label for="telegram-token">Bot token</label
                  ><input
                    id="telegram-token"
                    name="botToken"
                    type="password"
                    [(ngModel)]="telegram.botToken"
                    [placeholder]="c.telegram.botToken ?? '123456789:AAH… from BotFather'"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="telegram-token-help"
                  /><span id="telegram-token-help" class="help"
                    >Stored, never shown again (only the bot's id); leave empty to keep the current one.</span
                  >
                </div>
                @if (c.telegram.botToken) {
                  <label class="check"
                    ><input type="checkbox" name="forgetToken" [(ngModel)]="telegram.forgetToken" /> Forget
                    the stored token (back to TELEGRAM_BOT_TOKEN)</label
                  >
                }
                <div class="field">
                  <label for="telegram-chat">Chat id</label
                  ><input
                    id="telegram-chat"
                    name="chatId"
                    [(ngModel)]="telegram.chatId"
                    placeholder="-1001234567890 or @channelusername"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="telegram-chat-help"
                  /><span id="telegram-chat-help" class="help"
                    >The bot must be a member (an admin of a channel).</span
                  >
                </div>
                <div class="toolbar">
                  <button type="submit" class="primary" [disabled]="busy()" data-testid="save-telegram">
                    Save
                  </button>
                  <button
                    type="button"
                    (click)="test('telegram')"
                    [disabled]="busy()"
                    data-testid="test-telegram"
                  >
                    Send test
                  </button>
                </div>
                @if (notice()['telegram']; as n) {
                  <div
                    class="alert"
                    [class.good]="!n.bad"
                    [class.bad]="n.bad"
                    [attr.role]="n.bad ? 'alert' : 'status'"
                    data-testid="telegram-result"
                  >
                    {{ n.text }}
                  </div>
                }
              </form>
            </div>
          }
        </pm-async-state>
      </section>
    }

    <div class="grid grid-2 section">
      <section class="card" aria-labelledby="wallet-watch-title" data-testid="wallet-settings">
        <h2 id="wallet-watch-title">Wallet watch</h2>
        <pm-async-state
          what="the wallet"
          [pending]="wallet.pending()"
          [error]="wallet.error()"
          (retry)="wallet.reload()"
          [empty]="!wallet.value()"
        >
          @if (wallet.value(); as w) {
            <p class="muted" data-testid="watched-address">
              Watched address:
              @if (w.watchedAddress) {
                <code>{{ w.watchedAddress }}</code> via {{ w.rpcHost }}, every {{ w.pollSeconds }} s
              } @else {
                none (bots' reported balances are still watched)
              }
            </p>
            @if (session.can('settings.manage')) {
              <form class="inline" (ngSubmit)="saveWatch()">
                <div class="field">
                  <label for="watch-address">Public address to watch</label
                  ><input
                    id="watch-address"
                    name="watchAddress"
                    [(ngModel)]="watchAddress"
                    placeholder="0x…"
                    autocomplete="off"
                    spellcheck="false"
                  />
                </div>
                <div class="field">
                  <label for="watch-rpc">Polygon JSON-RPC URL</label
                  ><input
                    id="watch-rpc"
                    name="watchRpc"
                    type="url"
                    [(ngModel)]="watchRpc"
                    placeholder="https://…"
                    autocomplete="off"
                    aria-describedby="watch-help"
                  /><span id="watch-help" class="help"
                    >Never an address a bot sent. The URL is stored, not shown again.</span
                  >
                </div>
                <button type="submit" class="primary" [disabled]="busy()" data-testid="save-watch">
                  Watch
                </button>
                <button type="button" [disabled]="busy()" (click)="resetWatch()">Back to environment</button>
              </form>
              <form class="inline" (ngSubmit)="saveThreshold()">
                <div class="field">
                  <label for="wallet-threshold">Low-balance alert below (USDC)</label
                  ><input
                    id="wallet-threshold"
                    name="threshold"
                    inputmode="decimal"
                    [(ngModel)]="threshold"
                    placeholder="no alert"
                    aria-describedby="threshold-help"
                  /><span id="threshold-help" class="help"
                    >One alert per crossing; empty goes back to WALLET_LOW_BALANCE.</span
                  >
                </div>
                <button type="submit" class="primary" [disabled]="busy()" data-testid="save-threshold">
                  Save
                </button>
              </form>
            } @else {
              <p class="muted" data-testid="threshold-readonly">
                Low-balance alert below: {{ w.lowBalanceThreshold ?? 'no alert'
                }}{{ w.lowBalanceThreshold ? ' USDC' : '' }}.
              </p>
            }
            @if (notice()['wallet']; as n) {
              <div
                class="alert"
                [class.good]="!n.bad"
                [class.bad]="n.bad"
                [attr.role]="n.bad ? 'alert' : 'status'"
              >
                {{ n.text }}
              </div>
            }
          }
        </pm-async-state>
      </section>
      <section class="card" aria-labelledby="retention-title" data-testid="retention-settings">
        <h2 id="retention-title">Metric retention</h2>
        <pm-async-state
          what="the retention"
          [pending]="retention.pending()"
          [error]="retention.error()"
          (retry)="retention.reload()"
          [empty]="!retention.value()"
        >
          @if (session.can('settings.manage')) {
            <form class="inline" (ngSubmit)="saveRetention()">
              <div class="field">
                <label for="retention-days">Delete metric points of finished runs after (days)</label
                ><input
                  id="retention-days"
                  name="days"
                  type="number"
                  min="0"
                  step="1"
                  [(ngModel)]="retentionDays"
                  aria-describedby="retention-help"
                /><span id="retention-help" class="help"
                  >0 keeps them for ever; empty goes back to METRIC_RETENTION_DAYS.</span
                >
              </div>
              <button type="submit" class="primary" [disabled]="busy()" data-testid="save-retention">
                Save
              </button>
            </form>
          } @else {
            <p class="muted" data-testid="retention-readonly">
              {{
                retentionDays
                  ? 'Metric points of finished runs are deleted after ' + retentionDays + ' days.'
                  : 'Metric points of finished runs are kept for ever.'
              }}
            </p>
          }
          @if (notice()['retention']; as n) {
            <div
              class="alert"
              [class.good]="!n.bad"
              [class.bad]="n.bad"
              [attr.role]="n.bad ? 'alert' : 'status'"
            >
              {{ n.text }}
            </div>
          }
        </pm-async-state>
      </section>
    </div>
  `,
  styles: `
    .section {
      margin-top: 1rem;
    }
    .channel {
      display: flex;
      flex-direction: column;
      gap: 0.6rem;
    }
    .channel h3 {
      margin: 0;
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .check {
      display: inline-flex;
      gap: 0.4rem;
      align-items: center;
    }
    .inline {
      display: flex;
      flex-wrap: wrap;
      gap: 0.6rem;
      align-items: flex-end;
      margin-bottom: 0.5rem;
    }
    .inline .field {
      flex: 1 1 14rem;
    }
  `,
})
export class BackOfficeSettingsComponent {
  private readonly api = inject(AdminApi);
  protected readonly session = inject(AdminSession);
  // Only keys that manage channels may read them (the API refuses the others): not asked otherwise.
  protected readonly channels = createLoader<Channels | null>(() =>
    this.session.can('channels.manage') ? this.api.channels() : Promise.resolve(null),
  );
  protected readonly wallet = createLoader(() => this.api.wallet());
  protected readonly retention = createLoader(() => this.api.retention());
  protected readonly busy = signal(false);
  protected readonly notice = signal<Partial<Record<Channel | 'wallet' | 'retention', Notice>>>({});
  protected email: EmailForm = { enabled: false, smtpUrl: '', from: '', to: '' };
  protected webhook: WebhookForm = { enabled: false, url: '', format: 'generic' };
  protected telegram: TelegramForm = { enabled: false, botToken: '', forgetToken: false, chatId: '' };
  protected threshold = '';
  protected watchAddress = '';
  protected watchRpc = '';
  protected retentionDays: number | null = null;

  constructor() {
    effect(() => {
      const c = this.channels.value();
      if (c) untracked(() => this.fill(c));
    });
    effect(() => {
      const w = this.wallet.value();
      if (w) {
        this.threshold = w.lowBalanceThreshold ?? '';
        this.watchAddress = w.watchedAddress ?? '';
      }
    });
    effect(() => {
      const r = this.retention.value();
      if (r) this.retentionDays = r.metricRetentionDays;
    });
  }

  private fill(c: Channels): void {
    this.email = emailForm(c.email);
    this.webhook = webhookForm(c.webhook);
    this.telegram = telegramForm(c.telegram);
  }

  private say(what: Channel | 'wallet' | 'retention', text: string, bad = false): void {
    this.notice.update((n) => ({ ...n, [what]: { text, bad } }));
  }

  private async run(what: Channel | 'wallet' | 'retention', body: () => Promise<string>): Promise<void> {
    this.busy.set(true);
    try {
      this.say(what, await body());
    } catch (error) {
      this.say(what, apiErrorMessage(error), true);
    } finally {
      this.busy.set(false);
    }
  }

  protected saveEmail(loaded: Channels): Promise<void> {
    return this.run('email', async () => {
      const body = emailUpdate(loaded.email, this.email);
      if (!Object.keys(body).length) return 'Nothing changed.';
      this.channels.set(await this.api.updateEmailChannel(body));
      return 'Email settings saved.';
    });
  }

  protected saveWebhook(loaded: Channels): Promise<void> {
    return this.run('webhook', async () => {
      const body = webhookUpdate(loaded.webhook, this.webhook);
      if (!Object.keys(body).length) return 'Nothing changed.';
      this.channels.set(await this.api.updateWebhookChannel(body));
      return 'Webhook settings saved.';
    });
  }

  protected saveTelegram(loaded: Channels): Promise<void> {
    return this.run('telegram', async () => {
      const body = telegramUpdate(loaded.telegram, this.telegram);
      if ('error' in body) throw new Error(body.error);
      if (!Object.keys(body).length) return 'Nothing changed.';
      const saved = await this.api.updateTelegramChannel(body);
      this.channels.set(saved);
      this.telegram = telegramForm(saved.telegram);
      return 'Telegram settings saved.';
    });
  }

  protected async test(channel: Channel): Promise<void> {
    this.busy.set(true);
    try {
      const result: ChannelTest = await this.api.testChannel(channel);
      this.say(
        channel,
        result.ok
          ? `Test sent to ${result.target ?? channel}.`
          : `Test failed${result.target ? ` (${result.target})` : ''}: ${result.error ?? 'unknown error'}`,
        !result.ok,
      );
    } catch (error) {
      this.say(channel, apiErrorMessage(error), true);
    } finally {
      this.busy.set(false);
    }
  }

  protected saveThreshold(): Promise<void> {
    return this.run('wallet', async () => {
      const parsed = parseThreshold(this.threshold);
      if ('error' in parsed) throw new Error(parsed.error);
      this.wallet.set(await this.api.setWalletThreshold(parsed.value));
      return parsed.value === null
        ? 'Threshold reset to the server default.'
        : `Alert below ${parsed.value} USDC.`;
    });
  }

  protected saveWatch(): Promise<void> {
    return this.run('wallet', async () => {
      const parsed = parseWatch(this.watchAddress, this.watchRpc);
      if ('error' in parsed) throw new Error(parsed.error);
      this.wallet.set(await this.api.setWalletWatch(parsed.address, parsed.rpcUrl));
      this.watchRpc = '';
      return `Watching ${parsed.address}.`;
    });
  }

  protected resetWatch(): Promise<void> {
    return this.run('wallet', async () => {
      this.wallet.set(await this.api.setWalletWatch(null, null));
      this.watchRpc = '';
      return 'Back to the environment (WALLET_ADDRESS, WALLET_RPC_URL).';
    });
  }

  protected saveRetention(): Promise<void> {
    return this.run('retention', async () => {
      const days =
        this.retentionDays === null || (this.retentionDays as unknown) === ''
          ? null
          : Number(this.retentionDays);
      if (days !== null && (!Number.isInteger(days) || days < 0))
        throw new Error('A whole number of days, 0 or more.');
      this.retention.set(await this.api.setRetention(days));
      return days === null
        ? 'Retention reset to the server default.'
        : days === 0
          ? 'Metric points are kept.'
          : `Metric points of finished runs are deleted after ${days} days.`;
    });
  }
}
