import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  signal,
} from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AdminSession, LiveEvents, Permission } from '@polymaker/admin/data-access';
import { IconComponent, ThemeService } from '@polymaker/admin/ui';

interface NavItem {
  path: string;
  label: string;
  icon: string;
  /** Shown only to keys with this permission. */
  needs?: Permission;
}

@Component({
  selector: 'pm-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <button
        type="button"
        class="menu"
        [attr.aria-expanded]="menuOpen()"
        aria-controls="nav"
        (click)="menuOpen.set(!menuOpen())"
      >
        <pm-icon name="menu" /><span class="sr-only">Menu</span>
      </button>
      <a routerLink="/dashboard" class="brand"
        ><img src="favicon.svg" alt="" width="24" height="24" />
        <span>PolyMaker <span class="muted">Command Center</span></span></a
      >
      <span class="spacer"></span>
      @if (session.me(); as me) {
        <span
          class="who"
          data-testid="signed-in-as"
          [attr.title]="'Signed in with the key “' + me.name + '” (scope ' + me.scope + ')'"
          ><pm-icon name="key" /><span class="who-name">{{ me.name }}</span
          ><span
            class="badge"
            [class]="
              'badge ' + (me.scope === 'admin' ? 'info' : me.scope === 'operator' ? 'warn' : 'neutral')
            "
            data-testid="signed-in-scope"
            >{{ me.scope }}</span
          ></span
        >
      }
      <span
        class="live"
        [class]="'live ' + live.mode()"
        role="status"
        [attr.title]="liveTitle()"
        data-testid="live-status"
      >
        <span class="dot" aria-hidden="true"></span>{{ liveLabel() }}
      </span>
      <button
        type="button"
        class="icon-button"
        (click)="theme.toggle()"
        [attr.aria-label]="theme.effective() === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'"
      >
        <pm-icon [name]="theme.effective() === 'dark' ? 'sun' : 'moon'" />
      </button>
      <button type="button" class="icon-button" (click)="signOut()" aria-label="Sign out">
        <pm-icon name="logout" /><span class="wide-only">Sign out</span>
      </button>
    </header>
    <div class="body">
      <nav id="nav" aria-label="Main" [class.open]="menuOpen()">
        @if (session.me(); as me) {
          <p class="who-nav">
            Signed in as <strong>{{ me.name }}</strong> <span class="badge neutral">{{ me.scope }}</span>
          </p>
        }
        <ul>
          @for (item of nav(); track item.path) {
            <li>
              <a [routerLink]="item.path" routerLinkActive="active" ariaCurrentWhenActive="page"
                ><pm-icon [name]="item.icon" /> {{ item.label }}</a
              >
            </li>
          }
        </ul>
      </nav>
      <main id="main" tabindex="-1">
        <router-outlet />
      </main>
    </div>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      min-height: 100vh;
    }
    .skip {
      position: absolute;
      left: -999px;
      top: 0;
      background: var(--surface);
      padding: 0.5rem;
      z-index: 10;
    }
    .skip:focus {
      left: 0.5rem;
    }
    .top {
      position: sticky;
      top: 0;
      z-index: 5;
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.5rem 1rem;
      background: var(--surface);
      border-bottom: 1px solid var(--border);
    }
    .brand {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      font-weight: 700;
      color: var(--text);
      text-decoration: none;
    }
    .spacer {
      flex: 1;
    }
    .icon-button {
      padding: 0.4rem 0.55rem;
    }
    .menu {
      display: none;
      padding: 0.4rem 0.55rem;
    }
    .who {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      font-size: 0.85rem;
      min-width: 0;
    }
    .who-nav {
      display: none;
      margin: 0 0.5rem 0.75rem;
      font-size: 0.85rem;
    }
    .who-name {
      max-width: 14rem;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .live {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      font-size: 0.8rem;
      color: var(--muted);
      padding: 0.2rem 0.6rem;
      border: 1px solid var(--border);
      border-radius: 999px;
    }
    .live .dot {
      width: 0.55rem;
      height: 0.55rem;
      border-radius: 50%;
      background: var(--muted);
    }
    .live.live .dot {
      background: var(--good);
      box-shadow: 0 0 0 3px var(--good-bg);
    }
    .live.polling .dot {
      background: var(--warn);
    }
    .body {
      display: flex;
      flex: 1;
      min-height: 0;
    }
    nav {
      width: 210px;
      flex: none;
      border-right: 1px solid var(--border);
      background: var(--surface);
      padding: 0.75rem 0.5rem;
    }
    nav ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 2px;
      position: sticky;
      top: 64px;
    }
    nav a {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      padding: 0.5rem 0.75rem;
      border-radius: 6px;
      color: var(--text);
      text-decoration: none;
      font-weight: 500;
    }
    nav a:hover {
      background: var(--surface-2);
    }
    nav a.active {
      background: var(--info-bg);
      color: var(--accent);
      font-weight: 650;
    }
    main {
      flex: 1;
      min-width: 0;
      padding: 1.25rem;
      max-width: 1500px;
    }
    main:focus {
      outline: none;
    }
    @media (max-width: 800px) {
      .menu {
        display: inline-flex;
      }
      .brand .muted,
      .wide-only,
      .who {
        display: none;
      }
      .who-nav {
        display: block;
      }
      nav {
        display: none;
        position: fixed;
        top: 53px;
        left: 0;
        bottom: 0;
        z-index: 6;
        box-shadow: var(--shadow);
      }
      nav.open {
        display: block;
      }
      main {
        padding: 0.75rem;
      }
    }
  `,
})
export class ShellComponent {
  protected readonly session = inject(AdminSession);
  protected readonly live = inject(LiveEvents);
  protected readonly theme = inject(ThemeService);
  private readonly router = inject(Router);
  protected readonly menuOpen = signal(false);
  private readonly allNav: NavItem[] = [
    { path: '/dashboard', label: 'Dashboard', icon: 'dashboard' },
    { path: '/bots', label: 'Bots', icon: 'bots' },
    { path: '/pnl', label: 'P&L', icon: 'pnl' },
    { path: '/runs', label: 'Runs', icon: 'runs' },
    { path: '/trades', label: 'Trades', icon: 'trades' },
    { path: '/markets', label: 'Markets', icon: 'markets' },
    { path: '/configs', label: 'Configs', icon: 'configs' },
    { path: '/analysis', label: 'Analysis', icon: 'analysis' },
    { path: '/experiments', label: 'Experiments', icon: 'compare' },
    { path: '/notifications', label: 'Notifications', icon: 'notifications' },
    { path: '/audit', label: 'Audit', icon: 'audit', needs: 'audit.read' },
    { path: '/settings', label: 'Settings', icon: 'settings' },
  ];
  protected readonly nav = computed(() =>
    this.allNav.filter((item) => !item.needs || this.session.can(item.needs)),
  );
  protected readonly liveLabel = computed(
    () => ({ off: 'Offline', connecting: 'Connecting…', live: 'Live', polling: 'Polling' })[this.live.mode()],
  );
  protected readonly liveTitle = computed(() =>
    this.live.mode() === 'polling'
      ? 'The live stream is unavailable: refreshing every 5 seconds'
      : this.live.mode() === 'live'
        ? 'Receiving live updates from the server'
        : '',
  );

  constructor() {
    this.live.start();
    inject(DestroyRef).onDestroy(() => this.live.stop());
    const sub = this.router.events.subscribe((e) => {
      if (e instanceof NavigationEnd) this.menuOpen.set(false);
    });
    inject(DestroyRef).onDestroy(() => sub.unsubscribe());
    effect(() => {
      if (!this.session.signedIn()) {
        this.live.stop();
        void this.router.navigate(['/sign-in']);
      }
    });
  }

  protected signOut(): void {
    this.session.signOut('You signed out. The key is forgotten in this tab.');
  }
}
