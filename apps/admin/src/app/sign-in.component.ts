import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { AdminSession } from '@polymaker/admin/data-access';
import { IconComponent, ThemeService } from '@polymaker/admin/ui';

@Component({
  selector: 'pm-sign-in',
  imports: [FormsModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="wrap">
      <form class="card" (ngSubmit)="submit()" aria-labelledby="sign-in-title">
        <div class="brand">
          <img src="favicon.svg" alt="" width="36" height="36" />
          <div>
            <h1 id="sign-in-title">PolyMaker Command Center</h1>
            <p class="muted">Sign in with an admin, operator or viewer API key.</p>
          </div>
        </div>
        @if (session.notice(); as notice) {
          <div class="alert info" role="status">{{ notice }}</div>
        }
        @if (error(); as message) {
          <div class="alert bad" role="alert" data-testid="sign-in-error">{{ message }}</div>
        }
        <div class="field">
          <label for="admin-key">API key</label>
          <input
            id="admin-key"
            name="key"
            type="password"
            autocomplete="current-password"
            required
            [(ngModel)]="key"
            [attr.aria-invalid]="!!error()"
            aria-describedby="key-help"
          />
          <span id="key-help" class="help"
            >ADMIN_API_KEY from the server's environment, or a key made under Settings. A viewer key reads
            only; an operator key may also pause, activate and roll back. It is kept for this tab only.</span
          >
        </div>
        <button type="submit" class="primary" [disabled]="busy()">
          <pm-icon name="key" /> {{ busy() ? 'Checking…' : 'Sign in' }}
        </button>
        <p class="muted small">
          Theme:
          <button type="button" class="link" (click)="theme.toggle()">
            {{ theme.effective() === 'dark' ? 'switch to light' : 'switch to dark' }}
          </button>
          · <a href="/docs">API docs</a>
        </p>
      </form>
    </main>
  `,
  styles: `
    .wrap {
      min-height: 100vh;
      display: grid;
      place-items: center;
      padding: 1rem;
    }
    form {
      width: min(440px, 100%);
      display: flex;
      flex-direction: column;
      gap: 1rem;
      padding: 1.5rem;
    }
    .brand {
      display: flex;
      gap: 0.75rem;
      align-items: center;
    }
    .brand p {
      margin: 0;
    }
    button.primary {
      justify-content: center;
    }
    .small {
      font-size: 0.85rem;
      margin: 0;
    }
  `,
})
export class SignInComponent {
  protected readonly session = inject(AdminSession);
  protected readonly theme = inject(ThemeService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected key = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    const problem = await this.session.signIn(this.key);
    this.busy.set(false);
    if (problem) {
      this.error.set(problem);
      return;
    }
    this.key = '';
    const returnTo = this.route.snapshot.queryParamMap.get('returnTo');
    await this.router.navigateByUrl(
      returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/dashboard',
    );
  }
}
