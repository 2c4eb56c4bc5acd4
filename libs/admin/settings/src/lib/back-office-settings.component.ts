import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { AdminApi, createLoader } from '@polymaker/admin/data-access';
import { AsyncStateComponent, ValuePipe } from '@polymaker/admin/ui';

/**
 * Email and webhook channels and the wallet watch. The back-office API for these is not in the committed
 * OpenAPI spec yet: the section reads the endpoints when the server has them and says so when it does not.
 */
@Component({
  selector: 'pm-back-office-settings',
  imports: [AsyncStateComponent, ValuePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="channels-title">
      <h2 id="channels-title">Notifications and wallet watch</h2>
      <pm-async-state what="settings" [pending]="settings.pending()" [error]="settings.error()" (retry)="settings.reload()" [empty]="false">
        @if (entries(); as list) {
          @if (list.length) {
            <dl class="pairs">
              @for (e of list; track e[0]) { <dt>{{ e[0] }}</dt><dd><code>{{ e[1] | pmValue }}</code></dd> }
            </dl>
          } @else {
            <p class="muted" data-testid="back-office-missing">This server does not offer email/webhook channels or the wallet watch yet. They appear here once the back-office API is deployed.</p>
          }
        }
      </pm-async-state>
    </section>
  `,
})
export class BackOfficeSettingsComponent {
  private readonly api = inject(AdminApi);
  protected readonly settings = createLoader(() => this.api.optional<Record<string, unknown>>('/api/v1/notification-channels'));
  protected readonly entries = computed(() => Object.entries(this.settings.value() ?? {}));
}
