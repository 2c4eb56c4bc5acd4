import { startTestApi, TestApi } from '../support/api';
import {
  idleInTransaction,
  LoopbackRpc,
  LoopbackSmtp,
  outboxSettled,
  sql,
  startJsonRpc,
  startSmtp,
  waitFor,
} from './loopback';
import { Json } from './session';

const ADDRESS = '0x00000000000000000000000000000000000000A1';
const USDC = '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174';

describe('back office: watched wallet read over Polygon JSON-RPC', () => {
  let t: TestApi;
  let rpc: LoopbackRpc;
  let smtp: LoopbackSmtp;

  beforeAll(async () => {
    rpc = await startJsonRpc(USDC, ADDRESS);
    rpc.balances.usdcUnits = 1_234_500_000n; // 1234.5 USDC
    rpc.balances.polWei = 3n * 10n ** 18n + 25n * 10n ** 16n; // 3.25 POL
    smtp = await startSmtp();
    t = await startTestApi('backoffice_wallet', {
      WALLET_ADDRESS: ADDRESS,
      WALLET_RPC_URL: rpc.url,
      WALLET_POLL_SECONDS: '1',
      WALLET_LOW_BALANCE: '100',
      SMTP_URL: smtp.url,
      NOTIFY_EMAIL_TO: 'ops@example.test',
      OUTBOX_POLL_MS: '100',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await rpc?.close();
    await smtp?.close();
  });

  it('reads USDC (balanceOf on the token) and POL of the watched address, exactly', async () => {
    const wallet = await waitFor('a chain reading', async () => {
      const body = (await t.admin('GET', '/api/v1/wallet')).body;
      return body['chain'] ? body : null;
    });
    expect(wallet).toMatchObject({
      watchedAddress: ADDRESS,
      pollSeconds: 1,
      chain: { address: ADDRESS, usdc: '1234.5', pol: '3.25', error: null },
    });
    expect(
      rpc.calls.some((call) => call.method === 'eth_call' && (call.params[0] as Json)['to'] === USDC),
    ).toBe(true);
    expect(rpc.calls.some((call) => call.method === 'eth_getBalance' && call.params[0] === ADDRESS)).toBe(
      true,
    );
  });

  it('holds no transaction open while the JSON-RPC node is slow to answer (the poll holds a lease)', async () => {
    rpc.stall(2_000);
    const calls = rpc.calls.length;
    await waitFor('a poll to call the node', () => rpc.calls.length > calls);
    const idle: number[] = [];
    const leased: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      idle.push(await idleInTransaction(t.databaseUrl));
      const [row] = await sql<{ leased: boolean }>(
        t.databaseUrl,
        `select leased_until > now() as leased from scheduler_leases where job = 'wallet-poll'`,
      );
      leased.push(row.leased);
      await new Promise((done) => setTimeout(done, 100));
    }
    rpc.stall(0);
    expect(idle).toEqual(idle.map(() => 0));
    expect(leased).toContain(true); // the poll under way holds the lease, not a transaction
  });

  it('alerts once when the watched balance falls below the threshold, however many polls follow', async () => {
    rpc.balances.usdcUnits = 42_000_000n; // 42 USDC
    const mail = await waitFor('the low-balance email', () =>
      smtp.mails.find((m) => m.subject.includes('Wallet balance low')),
    );
    expect(mail.subject).toBe('[PolyMaker] Wallet balance low: 42 USDC (threshold 100)');
    expect(mail.body).toContain(`Watched wallet ${ADDRESS}`);
    const polls = rpc.calls.length;
    await waitFor('three more polls', () => rpc.calls.length >= polls + 6);
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    expect(smtp.mails.filter((m) => m.subject.includes('Wallet balance low'))).toHaveLength(1);
    const series = (await t.admin<{ chain: Json[] }>('GET', '/api/v1/wallet/series')).body.chain;
    expect(series.map((point) => point['usdc'])).toEqual(expect.arrayContaining(['1234.5', '42']));
  });

  it("a bot's balance hovering at the threshold, or falling again within the cooldown, is one alert", async () => {
    const started = await t.bot<{ runId: number }>('POST', '/api/bot/run/start', {
      mode: 'dry_run',
      startingBankroll: 150,
    });
    const runId = started.body.runId;
    // 99 crosses; 101, 98, 104 and 97 stay within 5 % of the threshold (not re-armed); 200 re-arms;
    // 50 falls again within the 15-minute cooldown: noted, not sent.
    for (const walletBalance of ['150', '99', '101', '98', '104', '97', '200', '50']) {
      expect((await t.bot('POST', '/api/bot/run/update', { runId, walletBalance })).status).toBe(200);
    }
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    const botMails = smtp.mails.filter(
      (m) => m.subject.includes('Wallet balance low') && !m.subject.includes('42 USDC'),
    );
    expect(botMails.map((m) => m.subject)).toEqual([
      '[PolyMaker] Wallet balance low: 99 USDC (threshold 100)',
    ]);
    const alerts = (await t.admin<{ alerts: Json[] }>('GET', '/api/v1/wallet')).body.alerts;
    expect(alerts.find((a) => String(a['source']).startsWith('bot:'))).toMatchObject({
      below: true,
      lastBalance: '50',
      alerts: 1,
    });
  });

  it('lets the admin change the threshold', async () => {
    const updated = await t.admin('PUT', '/api/v1/wallet/settings', { lowBalanceThreshold: '10' });
    expect(updated.status).toBe(200);
    expect(updated.body['lowBalanceThreshold']).toBe('10');
    expect((await t.admin('PUT', '/api/v1/wallet/settings', { lowBalanceThreshold: 'lots' })).status).toBe(
      400,
    );
  });
});

describe('back office: the watched wallet set from the admin API', () => {
  let t: TestApi;
  let rpc: LoopbackRpc;

  beforeAll(async () => {
    rpc = await startJsonRpc(USDC, ADDRESS);
    rpc.balances.usdcUnits = 77_000_000n; // 77 USDC
    t = await startTestApi('backoffice_wallet_admin', { WALLET_POLL_SECONDS: '1' });
  });
  afterAll(async () => {
    await t?.stop();
    await rpc?.close();
  });

  it('watches nothing until an admin sets an address and an RPC URL, then reads it', async () => {
    expect((await t.admin('GET', '/api/v1/wallet')).body).toMatchObject({
      watchedAddress: null,
      rpcHost: null,
      pollSeconds: null,
      chain: null,
    });
    const bad = await t.admin('PUT', '/api/v1/wallet/settings', {
      watchAddress: '0x123',
      rpcUrl: 'ftp://nope',
    });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/watchAddress must be a public address/);
    expect(bad.body['message']).toMatch(/rpcUrl must be an http\(s\) URL/);

    const set = await t.admin('PUT', '/api/v1/wallet/settings', { watchAddress: ADDRESS, rpcUrl: rpc.url });
    expect(set.body).toMatchObject({
      watchedAddress: ADDRESS,
      rpcHost: new URL(rpc.url).host,
      pollSeconds: 1,
    });
    const wallet = await waitFor('a chain reading', async () => {
      const body = (await t.admin('GET', '/api/v1/wallet')).body;
      return body['chain'] ? body : null;
    });
    expect(wallet['chain']).toMatchObject({ address: ADDRESS, usdc: '77', error: null });

    const cleared = await t.admin('PUT', '/api/v1/wallet/settings', { watchAddress: null, rpcUrl: null });
    expect(cleared.body).toMatchObject({ watchedAddress: null, pollSeconds: null });
  });
});
