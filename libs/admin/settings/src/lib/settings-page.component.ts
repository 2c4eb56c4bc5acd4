import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AdminApi, AdminSession, createLoader } from '@polymaker/admin/data-access';
import { DurationPipe, ThemeService } from '@polymaker/admin/ui';
import { ApiKeysComponent } from './api-keys.component';
import { BackOfficeSettingsComponent } from './back-office-settings.component';

@Component({
  selector: 'pm-settings-page',
  imports: [ApiKeysComponent, BackOfficeSettingsComponent, DurationPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page-head">
      <div>
        <h1>Settings</h1>
        <p>
          {{
            session.can('keys.manage')
              ? 'API keys, notification channels, appearance.'
              : 'Wallet watch, retention and appearance; keys, channels and settings changes need an admin key.'
          }}
        </p>
      </div>
    </div>
    <div class="stack">
      @if (session.can('keys.manage')) {
        <pm-api-keys />
      }
      <pm-back-office-settings />
      <section class="card" aria-labelledby="look-title">
        <h2 id="look-title">Appearance and server</h2>
        <div class="field theme">
          <label for="theme">Theme</label>
          <select id="theme" [value]="theme.choice()" (change)="theme.set($any($event.target).value)">
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
        @if (health.value(); as h) {
          <p class="muted">
            Server {{ h.version }} · status {{ h.status }} · up {{ h.uptimeSeconds | pmDuration }} ·
            <a href="/docs">API docs</a>
          </p>
        }
      </section>
    </div>
  `,
  styles: `
    .stack {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    .theme {
      max-width: 260px;
      margin-bottom: 0.75rem;
    }
  `,
})
export class SettingsPageComponent {
  protected readonly session = inject(AdminSession);
  protected readonly theme = inject(ThemeService);
  private readonly api = inject(AdminApi);
  protected readonly health = createLoader(() => this.api.health());
}
