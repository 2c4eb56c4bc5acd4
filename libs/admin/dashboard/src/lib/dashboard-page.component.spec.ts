import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AdminApi, AdminSession, LiveEvents, Permission, ServerEvent } from '@polymaker/admin/data-access';
import { ChartComponent, ChartSeries } from '@polymaker/admin/ui';
import { DashboardPageComponent } from './dashboard-page.component';

const runningRun = {
  id: 7,
  apiKeyId: 1,
  botId: 1,
  configId: 1,
  mode: 'dry_run',
  status: 'running',
  startingBankroll: '500',
  startedAt: new Date().toISOString(),
  lastUpdateAt: new Date().toISOString(),
  stoppedAt: null,
  errorMessage: null,
  durationSeconds: 10,
  totalPnl: '12.34',
  totalFills: 2,
  totalOrders: 4,
  overallScore: null,
  metrics: { totalCycles: 3 },
  extra: {},
};

/** A signed-in key that has exactly these permissions. */
function sessionWith(permissions: Permission[]): Partial<AdminSession> {
  return { can: (p: Permission) => permissions.includes(p) };
}

const ADMIN: Permission[] = ['read', 'configs.pause', 'fleet.manage', 'keys.manage'];

/** The chart as its series: "name=points;" for each line (ECharts needs a real browser; the e2e draws it). */
@Component({
  selector: 'pm-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="series">
    @for (s of series(); track s.name) {
      {{ s.name }}={{ s.points.length }};
    }
  </span>`,
})
class SeriesOfChart {
  readonly label = input('');
  readonly series = input<readonly ChartSeries[]>([]);
  readonly unit = input('');
  readonly emptyText = input('');
}

describe('DashboardPageComponent', () => {
  it.each([
    ['an admin', ADMIN],
    ['a viewer', ['read'] as Permission[]],
  ])('renders running runs per bot, totals, trades and the pause state for %s', async (_who, permissions) => {
    const admin = permissions.includes('fleet.manage');
    const api: Partial<AdminApi> = {
      listRuns: jest.fn().mockResolvedValue({ items: [runningRun], total: 1 }),
      listKeys: jest.fn().mockResolvedValue([{ id: 1, name: 'BOT_API_KEY (environment)', scope: 'bot' }]),
      listBots: jest.fn().mockResolvedValue([{ botId: 1, name: 'trading box', walletBalance: '40' }]),
      activeConfig: jest.fn().mockResolvedValue({ id: 3, version: 3, values: { pauseOrders: true } }),
      listTrades: jest.fn().mockResolvedValue({
        items: [
          {
            id: 1,
            runId: 7,
            asset: 'BTC',
            windowDuration: '15m',
            outcome: 'Up',
            side: 'buy',
            price: '0.52',
            size: '10',
            status: 'filled',
            pnl: '0.48',
            createdAt: new Date().toISOString(),
          },
        ],
        nextCursor: null,
      }),
      getRunMetrics: jest.fn().mockResolvedValue([]),
      listNotifications: jest.fn().mockResolvedValue({
        items: [
          {
            id: 5,
            kind: 'wallet-low',
            read: false,
            runId: 7,
            title: 'Wallet below 50 USDC',
            severity: 'warning',
          },
          { id: 4, kind: 'run-summary', read: false, runId: 6, title: 'Run #6 completed', severity: 'info' },
        ],
        total: 2,
        unread: 2,
      }),
      wallet: jest.fn().mockResolvedValue({
        alerts: [],
        bots: [
          {
            apiKeyId: 1,
            runId: 7,
            at: new Date().toISOString(),
            walletBalance: '40',
            positionValue: null,
            startingWallet: null,
          },
        ],
        chain: null,
        lowBalanceThreshold: '50',
        pollSeconds: null,
        watchedAddress: null,
      }),
      walletSeries: jest.fn().mockResolvedValue({ bot: [], chain: [] }),
      listPauses: jest.fn().mockResolvedValue([]),
    };
    const live = { watch: jest.fn(), mode: () => 'live' };
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: AdminApi, useValue: api },
        { provide: LiveEvents, useValue: live },
        { provide: AdminSession, useValue: sessionWith(permissions) },
      ],
    });
    const fixture = TestBed.createComponent(DashboardPageComponent);
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[data-testid=kpi-running]')?.textContent).toBe('1');
    expect(el.querySelector('[data-testid=kpi-pnl]')?.textContent?.trim()).toBe('+12.34');
    // One name per bot, the Bots page's, for every scope: the API keys list is never asked.
    expect(el.querySelector('[aria-label="Bot trading box"]')).not.toBeNull();
    expect(el.querySelector('[data-testid=wallet-bot]')?.textContent).toBe('trading box');
    expect(el.textContent).not.toContain('BOT_API_KEY');
    expect(api.listKeys).not.toHaveBeenCalled();
    expect(el.querySelector('[data-testid=kpi-wallet]')?.textContent?.trim()).toBe('40.00');
    expect(el.querySelectorAll('[data-testid=running-run]').length).toBe(1);
    expect(el.querySelector('[data-testid=latest-trades]')?.textContent).toContain('BTC 15m');
    expect(el.querySelector('[data-testid=orders-paused]')).not.toBeNull();
    // The switch is hidden, not disabled, for a key that may not pause or resume.
    expect(el.querySelector('[data-testid=resume-orders]') === null).toBe(!admin);
    expect(el.querySelector('[data-alert=notification-5]')?.textContent).toContain('Wallet below 50 USDC');
    expect(el.querySelector('[data-alert=notification-4]')).toBeNull();
    expect(el.querySelector('[data-testid=wallet-section]')?.textContent).toContain('below');
    expect(live.watch).toHaveBeenCalled();
  });

  it('shows the fleet-wide pause laid over the config and how many bots have fetched it', async () => {
    const api: Partial<AdminApi> = {
      listRuns: jest.fn().mockResolvedValue({ items: [], total: 0 }),
      listBots: jest.fn().mockResolvedValue([]),
      activeConfig: jest.fn().mockResolvedValue({ id: 3, version: 3, values: { pauseOrders: false } }),
      listTrades: jest.fn().mockResolvedValue({ items: [], nextCursor: null }),
      getRunMetrics: jest.fn().mockResolvedValue([]),
      listNotifications: jest.fn().mockResolvedValue({ items: [], total: 0, unread: 0 }),
      wallet: jest.fn().mockResolvedValue({
        alerts: [],
        bots: [],
        chain: null,
        lowBalanceThreshold: null,
        pollSeconds: null,
        watchedAddress: null,
      }),
      walletSeries: jest.fn().mockResolvedValue({ bot: [], chain: [] }),
      listPauses: jest.fn().mockResolvedValue([
        {
          id: 1,
          kind: 'fleet',
          target: '',
          pausedAt: new Date().toISOString(),
          pausedBy: 'ops',
          bots: 8,
          fetched: 7,
          waiting: [],
        },
      ]),
    };
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: AdminApi, useValue: api },
        { provide: LiveEvents, useValue: { watch: jest.fn(), mode: () => 'live' } },
        { provide: AdminSession, useValue: sessionWith(ADMIN) },
      ],
    });
    const fixture = TestBed.createComponent(DashboardPageComponent);
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[data-testid=orders-paused]')).not.toBeNull();
    expect(el.querySelector('[data-testid=fleet-pickup]')?.textContent).toContain(
      '7 of 8 bots have fetched it',
    );
    expect(el.querySelector('[data-testid=resume-orders]')).not.toBeNull();
    fixture.destroy();
  });

  it('keeps up from run.updated without fetching again: figures, series and the bot wallet; a gap fetches that run again', async () => {
    const handlers: Array<{ patterns: readonly string[]; handler: (events: ServerEvent[]) => void }> = [];
    const live = {
      watch: jest.fn((patterns: readonly string[], handler: (events: ServerEvent[]) => void) =>
        handlers.push({ patterns, handler }),
      ),
      mode: () => 'live',
    };
    const at = new Date().toISOString();
    const api: Partial<AdminApi> = {
      listRuns: jest.fn().mockResolvedValue({ items: [{ ...runningRun, lastUpdateAt: at }], total: 1 }),
      listBots: jest.fn().mockResolvedValue([{ botId: 1, name: 'trading box', walletBalance: '40' }]),
      activeConfig: jest.fn().mockResolvedValue({ id: 3, version: 3, values: {} }),
      listTrades: jest.fn().mockResolvedValue({ items: [], nextCursor: null }),
      getRunMetrics: jest.fn().mockResolvedValue([{ at, totalPnl: '12.34', extra: {} }]),
      listNotifications: jest.fn().mockResolvedValue({ items: [], total: 0, unread: 0 }),
      wallet: jest.fn().mockResolvedValue({
        alerts: [],
        bots: [],
        chain: null,
        lowBalanceThreshold: null,
        pollSeconds: null,
        watchedAddress: null,
      }),
      walletSeries: jest.fn().mockResolvedValue({
        bot: [
          {
            apiKeyId: 1,
            botId: 1,
            runId: 7,
            at,
            walletBalance: '40',
            positionValue: null,
            startingWallet: null,
          },
        ],
        chain: [],
      }),
      listPauses: jest.fn().mockResolvedValue([]),
    };
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: AdminApi, useValue: api },
        { provide: LiveEvents, useValue: live },
        { provide: AdminSession, useValue: sessionWith(ADMIN) },
      ],
    });
    TestBed.overrideComponent(DashboardPageComponent, {
      remove: { imports: [ChartComponent] },
      add: { imports: [SeriesOfChart] },
    });
    const fixture = TestBed.createComponent(DashboardPageComponent);
    const settle = async () => {
      await fixture.whenStable();
      await new Promise((r) => setTimeout(r, 0));
      await fixture.whenStable();
    };
    await settle();
    const el = fixture.nativeElement as HTMLElement;
    const emit = (data: unknown) =>
      handlers
        .filter((h) => h.patterns.includes('run.updated'))
        .forEach((h) => h.handler([{ name: 'run.updated', data }]));
    const later = new Date(Date.parse(at) + 1000).toISOString();
    emit({
      runId: 7,
      apiKeyId: 1,
      botId: 1,
      metrics: { totalPnl: '13.5', walletBalance: '41.25' },
      extra: {},
      at: later,
      occurredAt: later,
    });
    await settle();
    expect(el.querySelector('[data-testid=kpi-pnl]')?.textContent?.trim()).toBe('+13.50');
    expect(el.querySelector('[data-testid=kpi-wallet]')?.textContent?.trim()).toBe('41.25');
    expect(el.querySelector('[data-testid=pnl-chart]')?.textContent?.trim()).toBe('Run #7 · trading box=2;');
    expect(el.querySelector('[data-testid=wallet-chart]')?.textContent?.trim()).toBe('trading box=2;');
    expect(api.getRunMetrics).toHaveBeenCalledTimes(1);
    expect(api.listRuns).toHaveBeenCalledTimes(2); // running and recent, once each
    expect(api.walletSeries).toHaveBeenCalledTimes(1);
    emit({ runId: 7, apiKeyId: 1, botId: 1, truncated: true, occurredAt: later });
    await settle();
    expect(api.getRunMetrics).toHaveBeenCalledTimes(2);
    fixture.destroy();
  });
});
