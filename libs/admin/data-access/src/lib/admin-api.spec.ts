import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { provideApiConfiguration } from '@polymaker/shared/api-client';

import { AdminApi } from './admin-api';
import { AdminSession } from './admin-session';
import { apiKeyInterceptor } from './api-key.interceptor';

describe('AdminApi', () => {
  let api: AdminApi;
  let http: HttpTestingController;
  let session: AdminSession;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'sign-in', children: [] }]),
        provideHttpClient(withInterceptors([apiKeyInterceptor])),
        provideHttpClientTesting(),
        provideApiConfiguration(''),
      ],
    });
    api = TestBed.inject(AdminApi);
    http = TestBed.inject(HttpTestingController);
    session = TestBed.inject(AdminSession);
  });

  afterEach(() => http.verify());

  async function signIn(key = 'admin-key-1234567890') {
    const pending = session.signIn(key);
    http
      .expectOne('/api/v1/me')
      .flush({ apiKeyId: 1, name: 'ops', scope: 'operator', permissions: ['read', 'configs.activate'] });
    expect(await pending).toBeNull();
  }

  it('maps a trade filter and cursor onto GET /api/v1/trades with the key header', async () => {
    await signIn();
    const page = api.listTrades({ runId: 4, side: 'buy', asset: '', status: 'filled' }, 'next-1');
    await Promise.resolve();
    const call = http.expectOne((r) => r.url === '/api/v1/trades');
    expect(call.request.params.get('runId')).toBe('4');
    expect(call.request.params.get('side')).toBe('buy');
    expect(call.request.params.get('status')).toBe('filled');
    expect(call.request.params.get('cursor')).toBe('next-1');
    expect(call.request.params.has('asset')).toBe(false);
    expect(call.request.headers.get('X-Api-Key')).toBe('admin-key-1234567890');
    call.flush({ items: [], nextCursor: null });
    expect(await page).toEqual({ items: [], nextCursor: null });
  });

  it('loads the watchlist page by page until the count asked for, and says whether more exist', async () => {
    await signIn();
    const market = (id: number) => ({ id, tokenId: `tok-${id}` });
    const loaded = api.listMarkets({ includeExpired: true, search: ' btc-up ', asset: '' }, 5);
    await Promise.resolve();
    const first = http.expectOne((r) => r.url === '/api/v1/markets');
    expect(first.request.params.get('includeExpired')).toBe('true');
    expect(first.request.params.get('limit')).toBe('5');
    expect(first.request.params.get('search')).toBe('btc-up');
    expect(first.request.params.has('asset')).toBe(false);
    expect(first.request.params.has('cursor')).toBe(false);
    first.flush({ items: [market(1), market(2), market(3)], total: 9, nextCursor: 'c1', assets: ['BTC'] });
    await new Promise((done) => setTimeout(done));
    const second = http.expectOne((r) => r.url === '/api/v1/markets');
    expect(second.request.params.get('limit')).toBe('2');
    expect(second.request.params.get('cursor')).toBe('c1');
    expect(second.request.params.get('search')).toBe('btc-up');
    second.flush({ items: [market(4), market(5)], total: 9, nextCursor: 'c2', assets: ['BTC'] });
    const result = await loaded;
    expect(result.items.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
    expect(result).toMatchObject({ total: 9, more: true, assets: ['BTC'] });
  });

  it('builds the CSV export URL of the filter without the page size', () => {
    expect(api.tradesCsvUrl({ asset: 'BTC', side: 'sell', limit: 100 })).toBe(
      '/api/v1/trades/export.csv?asset=BTC&side=sell',
    );
  });

  it('answers null for the active config when none is active', async () => {
    await signIn();
    const active = api.activeConfig();
    await Promise.resolve();
    http
      .expectOne('/api/v1/configs/active')
      .flush({ statusCode: 404, message: 'No active config' }, { status: 404, statusText: 'Not Found' });
    expect(await active).toBeNull();
  });

  it('signs out with the server message on 401', async () => {
    await signIn();
    const runs = api.listRuns({ status: 'running' });
    await Promise.resolve();
    http
      .expectOne((r) => r.url === '/api/v1/runs')
      .flush(
        { statusCode: 401, error: 'Unauthorized', message: 'Unknown, revoked or expired API key.' },
        { status: 401, statusText: 'Unauthorized' },
      );
    await expect(runs).rejects.toBeTruthy();
    expect(session.signedIn()).toBe(false);
    expect(session.notice()).toContain('Unknown, revoked or expired API key.');
  });

  it('rejects a wrong key at sign-in with the server message', async () => {
    const result = session.signIn('wrong-key');
    http
      .expectOne('/api/v1/me')
      .flush(
        { statusCode: 401, message: 'Unknown, revoked or expired API key.' },
        { status: 401, statusText: 'Unauthorized' },
      );
    expect(await result).toBe('Unknown, revoked or expired API key.');
    expect(session.signedIn()).toBe(false);
  });

  it('knows what the signed-in key may do from /me', async () => {
    expect(session.can('configs.activate')).toBe(false);
    await signIn();
    expect(session.me()?.name).toBe('ops');
    expect(session.can('configs.activate')).toBe(true);
    expect(session.can('keys.manage')).toBe(false);
    session.signOut();
    expect(session.can('configs.activate')).toBe(false);
  });

  it('tells a bot key that it cannot sign in here', async () => {
    const result = session.signIn('bot-key-1234567890');
    http.expectOne('/api/v1/me').flush(
      {
        statusCode: 403,
        error: 'Forbidden',
        message: 'The key "box" has scope "bot"; this route needs scope "viewer" or higher.',
      },
      { status: 403, statusText: 'Forbidden' },
    );
    expect(await result).toContain('This is a bot key');
    expect(session.signedIn()).toBe(false);
  });
});
