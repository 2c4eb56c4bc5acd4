/**
 * Browser tests of the admin app: the production build served by the built API on a real PostgreSQL,
 * driven in Debian's Chromium through playwright-core. A bot is played over HTTP with the bot key,
 * exactly like the Python client.
 *
 *   npx nx build api && npx nx build admin && npx tsx apps/admin-e2e/src/run.ts
 *   (or: npx nx e2e admin-e2e, which builds both first)
 *
 * Screenshots of every page go to artifacts/screenshots/. Exits 1 when a scenario fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, ConsoleMessage, Page, Request as PlaywrightRequest } from 'playwright-core';
import { ApiProcess, request, startApiProcess, startTestPostgres, TestPostgres } from '@polymaker/testing';
import { Client } from 'pg';
import { launchChromium } from './chromium';

const ROOT = resolve(__dirname, '../../..');
const SHOTS = join(ROOT, 'artifacts/screenshots');
const ADMIN_INDEX = join(ROOT, 'dist/apps/admin/browser/index.html');

let passed = 0;
let failed = 0;
const failures: string[] = [];

async function scenario(name: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push(`${name}: ${message.split('\n')[0]}`);
    console.log(`  ✗ ${name}\n      ${message.split('\n').slice(0, 6).join('\n      ')}`);
  }
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Console errors and uncaught exceptions, minus resource failures the app expects and handles (listed). */
class ConsoleWatch {
  private errors: string[] = [];
  private readonly expected: RegExp[] = [];

  attach(page: Page): void {
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() !== 'error') return;
      const where = msg.location()?.url ?? '';
      const text = `${msg.text()} ${where}`;
      if (this.expected.some((re) => re.test(text))) return;
      this.errors.push(text);
    });
    page.on('pageerror', (error) => this.errors.push(`uncaught: ${error.message}`));
    page.on('crash', () => console.log(`  ! the page crashed at ${page.url()}`));
  }

  expect(pattern: RegExp): void {
    this.expected.push(pattern);
  }

  take(): string[] {
    const out = this.errors;
    this.errors = [];
    return out;
  }
}

class Bot {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await request<T>(this.base, method, path, {
      key: this.key,
      body,
      headers: { 'User-Agent': 'python-requests/2.28.1' },
    });
    if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${response.text}`);
    return response.body;
  }
}

async function waitFor(
  page: Page,
  selector: string,
  text?: string | RegExp,
  timeout = 10_000,
): Promise<void> {
  const locator =
    text === undefined ? page.locator(selector).first() : page.locator(selector, { hasText: text }).first();
  await locator.waitFor({ state: 'visible', timeout });
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.waitForTimeout(300); // let charts paint
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** SQL on the test database (only to age a run: the API has no way to fake time). */
async function sql(databaseUrl: string, text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** What a run of the bot simulator (tools/bot-simulator) ended with. */
interface SimulatorResult {
  code: number | null;
  runsStarted: number;
  output: string;
}

/** Runs the bot simulator against the API as its own process (bots over real HTTP, keys made with the admin key). */
function runSimulator(base: string, adminKey: string, args: string[]): Promise<SimulatorResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      join(ROOT, 'node_modules/.bin/tsx'),
      [
        join(ROOT, 'tools/bot-simulator/src/main.ts'),
        '--url',
        base,
        '--admin-key',
        adminKey,
        '--progress',
        'none',
        '--json',
        ...args,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let runsStarted = 0;
      try {
        runsStarted = Number((JSON.parse(stdout) as { runsStarted?: unknown }).runsStarted) || 0;
      } catch {
        // no summary: runsStarted stays 0 and the output is shown
      }
      resolvePromise({ code, runsStarted, output: `${stdout}${stderr}` });
    });
  });
}

async function main(): Promise<void> {
  expect(existsSync(ADMIN_INDEX), `${ADMIN_INDEX} is missing: run "npx nx build admin" first`);
  mkdirSync(SHOTS, { recursive: true });
  let pg: TestPostgres | null = null;
  let api: ApiProcess | null = null;
  let context: BrowserContext | null = null;
  try {
    pg = await startTestPostgres();
    const databaseUrl = await pg.createDatabase('admin_e2e');
    api = await startApiProcess({ databaseUrl });
    const base = api.url;
    const adminKey = api.adminKey;
    const botKey = api.botKey;
    const bot = new Bot(base, botKey);
    context = await launchChromium();
    const page = context.pages()[0] ?? (await context.newPage());
    const watch = new ConsoleWatch();
    watch.attach(page);
    // A wrong key is refused with 401 on purpose, and the bot's config may not exist before the first activation.
    watch.expect(/status of 401.*\/api\/v1\/configs\/active/);
    watch.expect(/status of 401.*\/api\/v1\/me/);
    watch.expect(/status of 403.*\/api\/v1\/me/);
    watch.expect(/status of 404.*\/api\/v1\/configs\/active/);
    console.log(`admin e2e against ${base} (Chromium ${context.browser()?.version() ?? ''})`);

    let runId = 0;

    await scenario('a wrong key shows a clear message and stays on sign-in', async () => {
      await page.goto(`${base}/`);
      await page.waitForURL(/\/sign-in/);
      await shot(page, '01-sign-in');
      await page.fill('#admin-key', 'definitely-not-a-valid-key-123');
      await page.click('button[type=submit]');
      await waitFor(page, '[data-testid=sign-in-error]', /revoked|Unknown/i);
      expect(page.url().includes('/sign-in'), 'should stay on sign-in');
      await shot(page, '02-sign-in-wrong-key');
      watch.take();
    });

    await scenario('signing in with the admin key opens the dashboard, live', async () => {
      await page.fill('#admin-key', adminKey);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/dashboard/);
      await waitFor(page, 'h1', 'Dashboard');
      await waitFor(page, '[data-testid=live-status]', 'Live');
    });

    await scenario(
      'a run started by a bot appears on the dashboard without reload, with its trades',
      async () => {
        const config = await bot
          .call<{ id?: number }>('GET', '/api/bot/config')
          .catch(() => ({ id: undefined }));
        await bot.call('GET', '/api/bot/status');
        const t0 = Date.now();
        const started = await bot.call<{ runId: number }>('POST', '/api/bot/run/start', {
          configId: config.id ?? null,
          mode: 'dry_run',
          startingBankroll: 500.0,
        });
        runId = started.runId;
        await waitFor(page, '[data-testid=running-run]', `Run #${runId}`, 5_000);
        const seenAfter = Date.now() - t0;
        expect(seenAfter < 2_500, `the run appeared after ${seenAfter} ms (want ≤ 2 s + render)`);
        const trade = (body: Record<string, unknown>) =>
          bot.call<{ tradeId: number }>('POST', '/api/bot/trade', {
            runId,
            cycle: 1,
            strategy: 'MM',
            ...body,
          });
        const t1 = await trade({
          asset: 'BTC',
          windowDuration: '15m',
          side: 'buy',
          outcome: 'Up',
          price: 0.52,
          size: 10.0,
          conditionId: '0x5f65',
          tokenId: '7132',
        });
        const t2 = await trade({
          asset: 'ETH',
          windowDuration: '5m',
          side: 'SELL',
          outcome: 'Down',
          price: 0.47,
          size: 5.5,
          tokenId: '123',
        });
        await trade({
          asset: 'BTC',
          windowDuration: '15m',
          side: 'sell',
          outcome: 'Down',
          price: '0.45',
          size: '4',
          cycle: 2,
        });
        await bot.call('POST', '/api/bot/trade/update', {
          tradeId: t1.tradeId,
          status: 'filled',
          fillPrice: 0.52,
          fillSize: 10.0,
          fillTimestamp: new Date().toISOString(),
          pnl: 0.48,
        });
        await bot.call('POST', '/api/bot/trade/update', { tradeId: t2.tradeId, status: 'cancelled' });
        await bot.call('POST', '/api/bot/run/update', {
          runId,
          totalCycles: 2,
          totalOrders: 3,
          totalFills: 1,
          totalPnl: 0.48,
          walletBalance: 500.48,
          brand_new_metric_x: 42,
        });
        await bot.call('POST', '/api/bot/markets/report', {
          markets: [
            {
              asset: 'BTC',
              window: '15m',
              windowId: 'btc-updown-15m-e2e',
              tokenId: '7132',
              tokenIdDown: '7133',
              conditionId: '0x5f65',
              expiresAt: String(Math.floor(Date.now() / 1000) + 900),
            },
          ],
        });
        await waitFor(page, '[data-testid=kpi-pnl]', '+0.48', 5_000);
        await waitFor(page, '[data-testid=latest-trades] tbody tr', 'ETH 5m', 5_000);
        expect(
          (await page.locator('[data-testid=latest-trades] tbody tr').count()) === 3,
          'three trades on the dashboard',
        );
        await shot(page, '03-dashboard');
      },
    );

    await scenario('the run page shows its figures, extra keys and trades', async () => {
      await page.click(`[data-testid=running-run] a:has-text("Run #${runId}")`);
      await page.waitForURL(new RegExp(`/runs/${runId}$`));
      await waitFor(page, '[data-testid=run-pnl]', '+0.48');
      await waitFor(page, '[data-testid=run-extra]', 'brand_new_metric_x');
      await waitFor(page, '[data-testid=run-trades] tbody tr');
      await shot(page, '04-run-detail');
    });

    await scenario('the trades explorer browses and filters the run’s trades', async () => {
      await page.goto(`${base}/trades?runId=${runId}`);
      await waitFor(page, '[data-testid=trade-row]');
      expect((await page.locator('[data-testid=trade-row]').count()) === 3, 'three trades for the run');
      await page.selectOption('#t-asset', 'ETH');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 1);
      await waitFor(page, '[data-testid=trade-row]', 'cancelled');
      await page.selectOption('#t-asset', '');
      await page.selectOption('#t-side', 'sell');
      await page.click('[data-testid=apply-filters]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 2);
      await page.selectOption('#t-side', '');
      await page.selectOption('#t-status', 'filled');
      await page.click('[data-testid=apply-filters]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 1);
      await shot(page, '05-trades-filtered');
      const download = page.waitForEvent('download', { timeout: 10_000 });
      await page.click('[data-testid=export-csv]');
      const file = await download;
      expect(/\.csv$/.test(file.suggestedFilename()), `CSV download named ${file.suggestedFilename()}`);
    });

    await scenario('edit, save and activate a config: GET /api/bot/config changes', async () => {
      const schema = (
        await request<{ keys: Array<{ key: string; type: string; min?: number; max?: number }> }>(
          base,
          'GET',
          '/api/v1/config-schema',
          { key: adminKey },
        )
      ).body;
      const spec =
        schema.keys.find((k) => k.type === 'number' && k.min !== undefined && k.max !== undefined) ??
        schema.keys.find((k) => k.type === 'number');
      expect(spec, 'the schema has a number key');
      const before = await bot.call<Record<string, unknown>>('GET', '/api/bot/config');
      const value = Number(((spec.min ?? 0) + ((spec.max ?? 1) - (spec.min ?? 0)) * 0.37).toFixed(3));
      await page.goto(`${base}/configs`);
      await waitFor(page, '[data-testid=versions-table] tbody tr');
      await shot(page, '06-configs');
      await page.click('[data-testid=edit-active]');
      await waitFor(page, `[data-key="${spec.key}"]`);
      if (spec.max !== undefined) {
        await page.fill(`[data-key="${spec.key}"]`, String(spec.max + 1));
        await waitFor(page, `[data-problem="${spec.key}"]`);
        expect(
          await page.locator('[data-testid=save-activate-config]').isDisabled(),
          'save is disabled while a value is out of bounds',
        );
      }
      await page.fill(`[data-key="${spec.key}"]`, String(value));
      await page.fill('#note', 'e2e: tune ' + spec.key);
      await shot(page, '07-config-editor');
      await page.click('[data-testid=raw-json-tab]');
      await waitFor(page, '[data-testid=raw-json]');
      expect(
        (await page.inputValue('[data-testid=raw-json]')).includes(`"${spec.key}": ${value}`),
        'the raw JSON view shows the edit',
      );
      await shot(page, '08-config-raw-json');
      await page.click('[data-testid=save-activate-config]');
      await waitFor(page, 'dialog[open] [data-testid=activation-diff]', spec.key);
      await waitFor(page, 'dialog[open] [data-testid=activation-keys]', `1 key change: ${spec.key}`);
      await waitFor(page, 'dialog[open]', 'pauseOrders stays false');
      await shot(page, '08b-save-activate-confirm', false);
      await page.click('dialog[open] [data-testid=activation-ok]');
      await waitFor(page, '[data-testid=save-notice]', 'activated');
      const after = await bot.call<Record<string, unknown>>('GET', '/api/bot/config');
      expect(
        after[spec.key] === value,
        `bot config ${spec.key} = ${JSON.stringify(after[spec.key])}, want ${value}`,
      );
      expect(after['id'] !== before['id'], 'the bot sees a new config id');
      await page.goto(`${base}/configs`);
      await waitFor(page, '[data-testid=versions-table] tbody tr');
      await page.selectOption('#diff-from', { index: 1 });
      await page.selectOption('#diff-to', { index: 0 });
      await page.click('button:has-text("Show diff")');
      await waitFor(page, '[data-testid=diff-table]', spec.key);
      await shot(page, '09-config-diff');
    });

    await scenario(
      'pause and resume orders from the dashboard: the bot sees pauseOrders, and no config version is made',
      async () => {
        const versions = async () =>
          (await request<{ items: unknown[] }>(base, 'GET', '/api/v1/configs', { key: adminKey })).body.items
            .length;
        const before = await versions();
        await page.goto(`${base}/dashboard`);
        await page.click('[data-testid=pause-orders]');
        await page.click('dialog[open] button:has-text("Pause orders")');
        await waitFor(page, '[data-testid=orders-paused]');
        await waitFor(page, '[data-testid=fleet-pickup]', /of \d+ bots have fetched it/);
        expect(
          (await bot.call<Record<string, unknown>>('GET', '/api/bot/config'))['pauseOrders'] === true,
          'bot config pauseOrders true',
        );
        await waitFor(page, '[data-testid=fleet-pickup]', /^[1-9]\d* of/, 15_000);
        await shot(page, '10-dashboard-paused');
        await page.click('[data-testid=resume-orders]');
        await waitFor(page, '[data-testid=orders-active]');
        expect(
          (await bot.call<Record<string, unknown>>('GET', '/api/bot/config'))['pauseOrders'] === false,
          'bot config pauseOrders false',
        );
        expect((await versions()) === before, 'pausing and resuming made no config version');
      },
    );

    await scenario(
      'activation shows the diff and the pauseOrders/mode warning, and Cancel changes nothing',
      async () => {
        const paused = await request<{ id: number }>(base, 'POST', '/api/v1/configs/pause', {
          key: adminKey,
          body: { paused: true },
        });
        expect(paused.status === 200, `paused (${paused.status} ${paused.text})`);
        const pausedId = paused.body.id;
        const history = (
          await request<{ items: Array<{ configId: number; previousConfigId: number | null }> }>(
            base,
            'GET',
            '/api/v1/configs/activations',
            { key: adminKey },
          )
        ).body.items;
        const unpausedId = history.find((a) => a.configId === pausedId)?.previousConfigId ?? 0;
        expect(unpausedId > 0, 'the version active before the pause is known');
        const live = await request<{ id: number }>(base, 'POST', '/api/v1/configs', {
          key: adminKey,
          body: { basedOnId: pausedId, values: { mode: 'live' }, note: 'e2e: live' },
        });
        expect(live.status === 201, `live version created (${live.status} ${live.text})`);
        const unchanged = async (what: string) => {
          const served = await bot.call<Record<string, unknown>>('GET', '/api/bot/config');
          expect(
            served['id'] === pausedId && served['pauseOrders'] === true && served['mode'] !== 'live',
            `${what}: the bot still gets the paused v${pausedId} (got ${JSON.stringify({ id: served['id'], pauseOrders: served['pauseOrders'], mode: served['mode'] })})`,
          );
        };
        await page.goto(`${base}/configs`);
        await page.click(`[data-testid=activate-${unpausedId}]`);
        await waitFor(
          page,
          'dialog[open] [data-testid=activation-warning-pauseOrders]',
          'This RESUMES trading: pauseOrders true → false',
        );
        await waitFor(page, 'dialog[open] [data-testid=activation-keys]', 'pauseOrders');
        await waitFor(page, 'dialog[open] [data-testid=activation-diff] [data-key=pauseOrders]');
        await waitFor(page, 'dialog[open] h2', `Activate v${unpausedId}?`);
        await shot(page, '10b-activation-confirm-resume', false);
        await page.setViewportSize({ width: 390, height: 844 });
        await shot(page, '10c-phone-activation-confirm', false);
        await page.setViewportSize({ width: 1366, height: 900 });
        await page.click('dialog[open] [data-testid=activation-cancel]');
        await page.locator('dialog[open]').waitFor({ state: 'detached', timeout: 5_000 });
        await unchanged('after Cancel on Activate');
        await page.click('[data-testid=rollback]');
        await waitFor(page, 'dialog[open] h2', `Roll back to v${unpausedId}?`);
        await waitFor(page, 'dialog[open] [data-testid=activation-warning-pauseOrders]', 'RESUMES');
        await page.keyboard.press('Escape');
        await page.locator('dialog[open]').waitFor({ state: 'detached', timeout: 5_000 });
        await unchanged('after Escape on Roll back');
        await page.click(`[data-testid=activate-${live.body.id}]`);
        await waitFor(
          page,
          'dialog[open] [data-testid=activation-warning-mode]',
          'LIVE trading with real orders: mode dry_run → live',
        );
        await waitFor(page, 'dialog[open]', 'pauseOrders stays true');
        await shot(page, '10d-activation-confirm-live', false);
        await page.click('dialog[open] [data-testid=activation-cancel]');
        await unchanged('after Cancel on the live version');
        // Resume from the UI: the change the audit page must show next.
        await page.click('[data-testid=resume-orders]');
        await waitFor(page, 'dialog[open] [data-testid=activation-warning-pauseOrders]', 'RESUMES');
        await page.click('dialog[open] [data-testid=activation-ok]');
        await waitFor(page, '.alert.good', 'Orders resumed');
        expect(
          (await bot.call<Record<string, unknown>>('GET', '/api/bot/config'))['pauseOrders'] === false,
          'resumed after confirming',
        );
      },
    );

    await scenario(
      'the audit page lists the change just made, filters, loads more, and exports CSV',
      async () => {
        for (let i = 0; i < 50; i++) {
          const made = await request(base, 'POST', '/api/v1/configs', {
            key: adminKey,
            body: { values: { mmSpreadMin: 0.02 + i / 10000 }, note: `e2e: audit filler ${i}` },
          });
          expect(made.status === 201, `filler config ${i} (${made.status})`);
        }
        const resume = await request(base, 'POST', '/api/v1/configs/pause', {
          key: adminKey,
          body: { paused: true },
        });
        expect(resume.status === 200, 'paused for the audit');
        await page.goto(`${base}/audit`);
        await waitFor(page, 'h1', 'Audit');
        const first = page.locator('[data-testid=audit-row]').first();
        await first.waitFor({ state: 'visible', timeout: 10_000 });
        expect(
          (await first.getAttribute('data-action')) === 'config.paused',
          `newest entry is ${await first.getAttribute('data-action')}`,
        );
        expect(
          /pauseOrders/.test((await first.textContent()) ?? ''),
          'the newest entry shows pauseOrders before → after',
        );
        expect(/admin/.test((await first.textContent()) ?? ''), 'the newest entry names the admin key');
        expect((await page.locator('[data-testid=audit-row]').count()) === 50, 'one page of 50');
        await shot(page, '17-audit', false);
        await page.click('[data-testid=audit-load-more]');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit-row]').length > 50);
        await page.selectOption('#a-action', 'config.resumed');
        await page.click('[data-testid=apply-audit-filters]');
        await page.waitForFunction(() => {
          const rows = [...document.querySelectorAll('[data-testid=audit-row]')];
          return rows.length > 0 && rows.every((r) => r.getAttribute('data-action') === 'config.resumed');
        });
        const download = page.waitForEvent('download', { timeout: 10_000 });
        await page.click('[data-testid=export-audit-csv]');
        const file = await download;
        expect(/\.csv$/.test(file.suggestedFilename()), `CSV download named ${file.suggestedFilename()}`);
        const path = await file.path();
        const text = path ? readFileSync(path, 'utf8') : '';
        const lines = text.trim().split(/\r?\n/);
        expect(lines[0].startsWith('id,at,apiKeyId'), `CSV header ${lines[0]}`);
        expect(
          lines.length > 1 && lines.slice(1).every((l) => l.includes('config.resumed')),
          `CSV holds only the filtered action (${lines.length - 1} rows)`,
        );
        await page.setViewportSize({ width: 390, height: 844 });
        await shot(page, '18-phone-audit', false);
        await page.click('button[aria-controls=nav]');
        await waitFor(page, 'nav.open .who-nav', 'Signed in as');
        await shot(page, '19-phone-nav-signed-in-as', false);
        await page.click('button[aria-controls=nav]');
        await page.setViewportSize({ width: 1366, height: 900 });
        await request(base, 'POST', '/api/v1/configs/pause', { key: adminKey, body: { paused: false } });
      },
    );

    await scenario('create a bot key, use it, revoke it', async () => {
      await page.goto(`${base}/settings`);
      await page.fill('#key-name', 'e2e box');
      await page.selectOption('#key-scope', 'bot');
      await page.click('[data-testid=create-key]');
      await waitFor(page, '[data-testid=new-key-secret]');
      const secret = (await page.textContent('[data-testid=new-key-secret]'))?.trim() ?? '';
      expect(secret.length >= 16, 'a generated key is shown');
      await shot(page, '11-settings-new-key');
      const used = await request(base, 'GET', '/api/bot/status', { key: secret });
      expect(used.status === 200, `the new key works (${used.status})`);
      await page.reload();
      await waitFor(page, '[data-key-name="e2e box"]', /ago|just now/);
      await page.click('[data-testid="revoke-e2e box"]');
      await page.click('dialog[open] button:has-text("Revoke key")');
      await waitFor(page, '[data-key-name="e2e box"]', 'revoked');
      const refused = await request(base, 'GET', '/api/bot/status', { key: secret });
      expect(refused.status === 401, `the revoked key is refused (${refused.status})`);
    });

    await scenario(
      'the Bots page: tag a bot, assign a version to its tag, pause the bot and see the pause picked up by its poll',
      async () => {
        const admin = new Bot(base, adminKey);
        const fleet: Record<string, Bot> = {};
        for (const name of ['fleet-a', 'fleet-b']) {
          const created = await admin.call<{ secret: string }>('POST', '/api/v1/api-keys', {
            name,
            scope: 'bot',
          });
          fleet[name] = new Bot(base, created.secret);
          await fleet[name].call('GET', '/api/bot/config');
        }
        const active = await admin.call<{ id: number }>('GET', '/api/v1/configs/active');
        const trial = await admin.call<{ id: number }>('POST', '/api/v1/configs', {
          basedOnId: active.id,
          values: { mmSpreadMin: '0.04' },
          note: 'vps-9 trial',
        });
        await page.goto(`${base}/bots`);
        await waitFor(page, '[data-testid=bot-row][data-bot="fleet-a"]', 'fleet default');
        await page.locator('[data-bot="fleet-a"] [data-testid=bot-tags]').fill('vps-9');
        await page.locator('[data-bot="fleet-a"] button:has-text("Save")').click();
        await waitFor(page, '[data-testid=bots-message]', 'Tags of fleet-a saved.');
        await page.selectOption('#as-target', 'tag:vps-9');
        await page.selectOption('#as-version', { label: `v${trial.id} — vps-9 trial` });
        await page.click('[data-testid=assign-submit]');
        await waitFor(page, '[data-testid=assignment-row]', `tag vps-9 → v${trial.id}`);
        await waitFor(page, '[data-bot="fleet-a"] [data-testid=bot-version]', `v${trial.id} (tag vps-9)`);
        expect(
          (await fleet['fleet-a'].call<{ id: number }>('GET', '/api/bot/config')).id === trial.id,
          'the tagged bot is served the tag’s version',
        );
        expect(
          (await fleet['fleet-b'].call<{ id: number }>('GET', '/api/bot/config')).id === active.id,
          'the other bot keeps the fleet default',
        );

        await page.locator('[data-bot="fleet-a"] [data-testid=pause-bot]').click();
        await page.click('dialog[open] button:has-text("Pause orders")');
        await waitFor(page, '[data-testid=pause-row][data-kind=bot]', '0 of 1 bots have fetched it');
        await waitFor(page, '[data-bot="fleet-a"] [data-testid=bot-state]', 'paused');
        const served = await fleet['fleet-a'].call<{ id: number; pauseOrders: boolean }>(
          'GET',
          '/api/bot/config',
        );
        expect(
          served.pauseOrders === true && served.id === trial.id,
          'the paused bot gets pauseOrders over its own version',
        );
        expect(
          (await fleet['fleet-b'].call<{ pauseOrders: boolean }>('GET', '/api/bot/config')).pauseOrders ===
            false,
          'the other bot is not paused',
        );
        await waitFor(page, '[data-testid=pause-row][data-kind=bot]', '1 of 1 bots have fetched it', 15_000);
        await shot(page, '12-bots-pause-picked-up');
        await page.locator('[data-bot="fleet-a"] [data-testid=resume-bot]').click();
        await waitFor(page, '[data-testid=bots-message]', 'Resumed');
        expect(
          (await fleet['fleet-a'].call<{ pauseOrders: boolean }>('GET', '/api/bot/config')).pauseOrders ===
            false,
          'resumed at its next poll',
        );
        // Its run count opens its runs: the runs page filtered by that bot (fleet-a has none).
        await page.locator('[data-bot="fleet-a"] a:has-text("0 open / 0")').click();
        await page.waitForURL(/\/runs\?bot=\d+/);
        await waitFor(page, 'pm-async-state', 'No run matches these filters.');

        // Its name opens its page: the versions it was served (from its polls), its figures, a pause of its own.
        await page.goto(`${base}/bots`);
        await page.locator('[data-bot="fleet-a"] [data-testid=bot-link]').click();
        await page.waitForURL(/\/bots\/\d+$/);
        await waitFor(page, '[data-testid=bot-name]', 'fleet-a');
        await waitFor(page, '[data-testid=bot-span]', `v${trial.id} — vps-9 trial`);
        await waitFor(page, '[data-testid=bot-page-state]', 'idle');
        await page.click('[data-testid=bot-page-pause]');
        await page.click('dialog[open] button:has-text("Pause orders")');
        // the state arrives live (bot.state-changed), and the bot's next poll is answered paused
        await waitFor(page, '[data-testid=bot-page-state]', 'paused');
        expect(
          (await fleet['fleet-a'].call<{ pauseOrders: boolean }>('GET', '/api/bot/config')).pauseOrders ===
            true,
          'paused from its own page',
        );
        await waitFor(page, '[data-testid=bot-span]', '(paused)', 15_000);
        await shot(page, '13-bot-page');
        await page.click('[data-testid=bot-page-resume]');
        await waitFor(page, '[data-testid=bot-page-state]', 'idle');
        await fleet['fleet-a'].call('GET', '/api/bot/config');
        await page.goto(`${base}/runs`);
        await waitFor(page, '[data-testid=run-bot]', 'BOT_API_KEY');
      },
    );

    await scenario(
      'a stopped run shows the run summary in the notifications, and mark read works',
      async () => {
        await bot.call('POST', '/api/bot/run/stop', {
          runId,
          status: 'completed',
          totalPnl: 0.48,
          totalFills: 1,
          totalOrders: 3,
        });
        await page.goto(`${base}/runs/${runId}`);
        await waitFor(page, '[data-testid=analysis-thin]', /too thin/i);
        await page.goto(`${base}/notifications`);
        const item = page.locator('[data-kind=run-summary]', { hasText: `Run #${runId}` }).first();
        await item.waitFor({ state: 'visible', timeout: 10_000 });
        const id = Number(await item.getAttribute('data-notification'));
        expect(id > 0, 'the notification has an id');
        await shot(page, '12-notifications');
        await page.click(`[data-testid=mark-read-${id}]`);
        await waitFor(page, `[data-testid=mark-unread-${id}]`);
        const stored = (
          await request<{ read: boolean }>(base, 'GET', `/api/v1/notifications/${id}`, { key: adminKey })
        ).body;
        expect(stored.read === true, 'the notification is read on the server');
        await page.click(`[data-testid=mark-unread-${id}]`);
        await waitFor(page, `[data-testid=mark-read-${id}]`);
        await page.check('[data-testid=unread-only]');
        await waitFor(page, `[data-notification="${id}"]`);
        await page.click('[data-testid=read-all]');
        await waitFor(page, '[data-testid=unread-count]', '0 unread');
      },
    );

    await scenario(
      'suggestions from a thick session: apply in the UI, activate under Configs, the bot gets it',
      async () => {
        const before = await bot.call<{ id: number }>('GET', '/api/bot/config');
        const created = await request<{ id: number }>(base, 'POST', '/api/v1/configs', {
          key: adminKey,
          body: {
            basedOnId: before.id,
            values: { mmSpreadMin: 0.04, mmSpreadMax: 0.08, mmOrderSize: 10 },
            note: 'e2e: wide spreads',
            activate: true,
          },
        });
        expect(created.status === 201, `config created (${created.status} ${created.text})`);
        const configId = created.body.id;
        const started = await bot.call<{ runId: number }>('POST', '/api/bot/run/start', {
          configId,
          mode: 'dry_run',
          startingBankroll: 500,
        });
        const thick = started.runId;
        const trades = Array.from({ length: 200 }, (_, i) => ({
          runId: thick,
          cycle: i,
          asset: ['BTC', 'ETH'][i % 2],
          windowDuration: '15m',
          side: 'buy',
          outcome: i % 2 ? 'Up' : 'Down',
          price: 0.5,
          size: 10,
          strategy: 'MM',
        }));
        const batch = await bot.call<{ tradeIds: number[] }>('POST', '/api/bot/trade/batch', { trades });
        for (const tradeId of batch.tradeIds.slice(0, 30)) {
          await bot.call('POST', '/api/bot/trade/update', {
            tradeId,
            status: 'filled',
            fillPrice: 0.5,
            fillSize: 10,
            pnl: 0.1,
          });
        }
        await bot.call('POST', '/api/bot/run/update', {
          runId: thick,
          totalOrders: 200,
          totalFills: 30,
          totalPnl: 3,
          walletBalance: 503,
        });
        // The engine wants ≥ 10 minutes of run: move the start back (the API cannot fake time).
        await sql(
          databaseUrl,
          'update runs set started_at = now() - make_interval(mins => 45) where id = $1',
          [thick],
        );
        // While running, an on-demand analysis from the UI.
        await page.goto(`${base}/runs/${thick}`);
        await waitFor(page, 'h1', `Run #${thick}`);
        await page.click('[data-testid=analyse-now]');
        await waitFor(page, '[data-testid=suggestions] [data-suggestion=mmSpreadMin]', undefined, 10_000);
        await bot.call('POST', '/api/bot/run/stop', { runId: thick, status: 'completed' });
        await page.reload();
        await waitFor(page, '[data-testid=analysis]', 'stop');
        await waitFor(page, '[data-testid=suggestions] [data-suggestion=mmSpreadMin]');
        // each sub-score with what it rewards, its formula and its inputs; no score for filling as such
        await page.click('[data-testid=score-risk] summary');
        await waitFor(page, '[data-testid=score-risk]', 'lossLimit');
        await waitFor(page, '[data-testid=rewards-risk]', 'far from the loss limit');
        await waitFor(page, '[data-testid=score-risk] .formula', 'maxLossPct * bankroll');
        expect((await page.locator('[data-testid=score-execution]').count()) === 0, 'no execution score');
        const order = await page
          .locator('[aria-label=Sub-scores] details')
          .evaluateAll((list) => list.map((d) => d.getAttribute('data-testid')));
        expect(
          order.join() === 'score-spreadCapture,score-inventory,score-hedging,score-risk,score-capitalReturn',
          `sub-scores in order (${order.join()})`,
        );
        await page.click('[data-testid=score-spreadCapture] summary');
        await waitFor(page, '[data-testid=score-spreadCapture]', 'Not computed');
        // Apply only the spread suggestion.
        const boxes = page.locator('[data-testid=suggestions] input[type=checkbox]');
        for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).uncheck();
        await page.check('[data-testid=suggestion-mmSpreadMin]');
        await shot(page, '13-run-analysis-suggestions');
        await page.click('[data-testid=apply-suggestions]');
        await waitFor(page, '[data-testid=applied-version]', 'not active');
        const href = (await page.getAttribute('[data-testid=applied-version] a', 'href')) ?? '';
        const newId = Number(/\/configs\/(\d+)/.exec(href)?.[1]);
        expect(newId > configId, `a new version linked (${href})`);
        expect(
          (await bot.call<{ id: number }>('GET', '/api/bot/config')).id === configId,
          'not active before activation',
        );
        // the applied suggestions can start an experiment instead of replacing the config for everyone
        await page.click('[data-testid=try-as-experiment]');
        await page.waitForURL(
          /\/experiments\?versions=\d+%2C\d+&from=\d+|\/experiments\?versions=\d+,\d+&from=\d+/,
        );
        expect(
          (await page.locator('[data-testid=experiment-candidate] option:checked').innerText()).startsWith(
            `v${newId}`,
          ),
          'the form names the new version as the candidate',
        );
        await page.click('[data-testid=experiment-start]');
        await page.waitForURL(/\/experiments\/\d+$/);
        await waitFor(page, '[data-testid=experiment-verdict]', 'Not enough data yet');
        await shot(page, '14a-experiment-started-from-suggestions');
        await page.goto(`${base}/configs`);
        await waitFor(page, `[data-testid=from-analysis-${newId}]`, /from\s+analysis #\d+ \(run #/);
        await shot(page, '14-configs-from-analysis');
        await page.click(`[data-testid=activate-${newId}]`);
        await waitFor(page, 'dialog[open] [data-testid=activation-keys]', 'mmSpreadMin');
        await page.click('dialog[open] [data-testid=activation-ok]');
        await waitFor(page, '.alert.good', 'is active');
        const served = await bot.call<Record<string, unknown>>('GET', '/api/bot/config');
        expect(
          served['id'] === newId && served['mmSpreadMin'] === 0.032,
          `bot config ${JSON.stringify({ id: served['id'], mmSpreadMin: served['mmSpreadMin'] })}, want id ${newId} and mmSpreadMin 0.032`,
        );
        await page.goto(`${base}/analysis`);
        await waitFor(page, '[data-testid=scores-table] tbody tr');
        await shot(page, '15-analysis');
      },
    );

    await scenario(
      'the settings page shows the channels, sends a test, saves the wallet threshold and the watched address',
      async () => {
        await page.goto(`${base}/settings`);
        await waitFor(page, '[data-testid=email-channel]', 'Email');
        await waitFor(page, '[data-testid=webhook-channel]', 'Webhook');
        await page.click('[data-testid=test-webhook]');
        await waitFor(page, '[data-testid=webhook-result]');
        await page.fill('#wallet-threshold', '50');
        await page.click('[data-testid=save-threshold]');
        await waitFor(page, '[data-testid=wallet-settings] .alert', '50');
        const wallet = (
          await request<{ lowBalanceThreshold: string | null }>(base, 'GET', '/api/v1/wallet', {
            key: adminKey,
          })
        ).body;
        expect(Number(wallet.lowBalanceThreshold) === 50, `threshold ${wallet.lowBalanceThreshold}`);
        const address = '0x00000000000000000000000000000000000000A1';
        await page.fill('#watch-address', address);
        await page.fill('#watch-rpc', 'http://127.0.0.1:9/rpc');
        await page.click('[data-testid=save-watch]');
        await waitFor(page, '[data-testid=watched-address]', address);
        const watched = (
          await request<{ watchedAddress: string | null; rpcHost: string | null }>(
            base,
            'GET',
            '/api/v1/wallet',
            { key: adminKey },
          )
        ).body;
        expect(
          watched.watchedAddress === address && watched.rpcHost === '127.0.0.1:9',
          `watch ${JSON.stringify(watched)}`,
        );
        await shot(page, '16-settings-channels');
        await page.click('text=Back to environment');
        await waitFor(page, '[data-testid=watched-address]', 'none');
        watch.take();
      },
    );

    await scenario(
      'the markets page pages through a watchlist longer than one page with "Load more"',
      async () => {
        const expires = String(Math.floor(Date.now() / 1000) + 3600);
        const many = Array.from({ length: 230 }, (_, i) => ({
          asset: 'SOL',
          window: '5m',
          tokenId: `e2e-page-${i}`,
          expiresAt: expires,
        }));
        await bot.call('POST', '/api/bot/markets/report', { markets: many });
        const total = (
          await request<{ total: number }>(base, 'GET', '/api/v1/markets?limit=1', { key: adminKey })
        ).body.total;
        await page.goto(`${base}/markets`);
        await waitFor(page, '[data-testid=markets-paging]', `Showing 200 of ${total} live markets`);
        expect(
          (await page.locator('[data-testid=markets-table] tbody tr').count()) === 200,
          'one page of 200 rows',
        );
        await page.click('[data-testid=markets-load-more]');
        // every live market on screen (another scenario's market may expire meanwhile: N of N, whatever N is now)
        await waitFor(page, '[data-testid=markets-paging]', /Showing (\d+) of \1 live markets/);
        const shown = Number(
          /Showing (\d+) of/.exec(
            await page.locator('[data-testid=markets-paging]').first().innerText(),
          )?.[1],
        );
        expect(shown > 200 && shown <= total, `the second page loaded (${shown} of ${total} at the start)`);
        expect(
          (await page.locator('[data-testid=markets-table] tbody tr').count()) === shown,
          `all ${shown} rows`,
        );
        expect(
          (await page.locator('[data-testid=markets-load-more]').count()) === 0,
          'no "Load more" on the last page',
        );
        watch.take();
      },
    );

    await scenario(
      'trades filtered by bot through the select stay filtered after a reload; Back undoes it; the Analysis page filters by bot too',
      async () => {
        const admin = new Bot(base, adminKey);
        const created = await admin.call<{ secret: string; apiKey: { botId: number } }>(
          'POST',
          '/api/v1/api-keys',
          { name: 'trader-b', scope: 'bot' },
        );
        const traderB = new Bot(base, created.secret);
        const botB = created.apiKey.botId;
        const run = await traderB.call<{ runId: number }>('POST', '/api/bot/run/start', {
          mode: 'dry_run',
          startingBankroll: 100,
        });
        for (const [cycle, side] of [
          [1, 'buy'],
          [2, 'sell'],
        ] as const) {
          await traderB.call('POST', '/api/bot/trade', {
            runId: run.runId,
            cycle,
            asset: 'SOL',
            windowDuration: '5m',
            side,
            outcome: 'Up',
            price: 0.4,
            size: 2,
            strategy: 'MM',
          });
        }
        const botCells = () => page.locator('[data-testid=trade-bot]').allInnerTexts();
        await page.goto(`${base}/trades`);
        await waitFor(page, '[data-testid=trade-bot]', 'trader-b');
        await waitFor(page, '[data-testid=trade-bot]', 'BOT_API_KEY');
        await page.selectOption('#t-bot', { label: 'trader-b' });
        await page.waitForURL(new RegExp(`/trades\\?bot=${botB}$`));
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 2);
        expect(
          (await botCells()).every((name) => name === 'trader-b'),
          `only trader-b's trades: ${(await botCells()).join(', ')}`,
        );
        await shot(page, '60-trades-by-bot');
        await page.reload();
        await waitFor(page, '[data-testid=trade-bot]', 'trader-b');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 2);
        expect(
          (await botCells()).every((name) => name === 'trader-b'),
          'still only trader-b after the reload',
        );
        const selected = await page.locator('#t-bot option:checked').innerText();
        expect(selected === 'trader-b', `the bot select still shows trader-b after the reload (${selected})`);
        // a second filter on top, then Back twice: each step of the filter is a page of the history
        await page.selectOption('#t-side', 'sell');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 1);
        await page.goBack();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=trade-row]').length === 2);
        expect((await page.locator('#t-side').inputValue()) === '', 'Back restores the side select');
        await page.goBack();
        await page.waitForURL(/\/trades$/);
        await waitFor(page, '[data-testid=trade-bot]', 'BOT_API_KEY');
        expect(
          (await page.locator('[data-testid=trade-row]').count()) > 2,
          'Back shows every bot’s trades again',
        );
        // a link with a value no trade can have: a clear empty result, not an error
        await page.goto(`${base}/trades?bot=${botB}&side=sideways`);
        await waitFor(page, 'pm-async-state', 'No trade matches: side "sideways" is not one of buy, sell.');
        await page.goto(`${base}/trades?asset=DOGE`);
        await waitFor(page, 'pm-async-state', 'No trade matches these filters.');
        expect(
          (await page.locator('#t-asset option:checked').innerText()) === 'DOGE',
          'the link’s asset is shown in its select',
        );

        await traderB.call('POST', '/api/bot/run/stop', { runId: run.runId, status: 'completed' });
        await page.goto(`${base}/analysis`);
        await waitFor(page, '[data-testid=analysis-bot]', 'trader-b');
        await page.selectOption('#an-bot', { label: 'trader-b' });
        await page.waitForURL(new RegExp(`/analysis\\?bot=${botB}$`));
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid=analysis-row]').length === 1,
        );
        await waitFor(page, '[data-testid=analysis-row]', `#${run.runId}`);
        await shot(page, '61-analysis-by-bot');
        watch.take();
      },
    );

    await scenario(
      'the Analysis page shows the time under each version: a run that picked up v2 at a poll mid-run counts its hours under both',
      async () => {
        const admin = new Bot(base, adminKey);
        const created = await admin.call<{ secret: string; apiKey: { botId: number } }>(
          'POST',
          '/api/v1/api-keys',
          { name: 'versions-bot', scope: 'bot' },
        );
        const versionsBot = new Bot(base, created.secret);
        const botId = created.apiKey.botId;
        const spans = async () =>
          (await admin.call<{ items: { configId: number }[] }>('GET', `/api/v1/bots/${botId}/config-spans`))
            .items;
        /** Waits for the bot's polls (written once a second) to make `count` spans. */
        const spansReach = async (count: number) => {
          for (let i = 0; i < 100 && (await spans()).length < count; i++)
            await new Promise((done) => setTimeout(done, 100));
          expect((await spans()).length === count, `${count} spans of the bot's polls`);
        };
        const first = await versionsBot.call<{ id: number }>('GET', '/api/bot/config');
        await spansReach(1);
        const run = await versionsBot.call<{ runId: number }>('POST', '/api/bot/run/start', {
          configId: first.id,
          mode: 'dry_run',
          startingBankroll: 500,
        });
        const early = await versionsBot.call<{ tradeId: number }>('POST', '/api/bot/trade', {
          runId: run.runId,
          cycle: 1,
          asset: 'BTC',
          windowDuration: '15m',
          side: 'buy',
          outcome: 'Up',
          price: 0.5,
          size: 3,
          strategy: 'MM',
        });
        await versionsBot.call('POST', '/api/bot/trade/update', {
          tradeId: early.tradeId,
          status: 'filled',
          fillPrice: 0.5,
          fillSize: 3,
          pnl: 1.5,
        });
        const next = await admin.call<{ id: number }>('POST', '/api/v1/configs', {
          basedOnId: first.id,
          values: { mmSpreadMin: 0.025 },
          note: 'picked up mid-run',
        });
        await admin.call('POST', '/api/v1/fleet/assignments', { botId, configId: next.id });
        expect(
          (await versionsBot.call<{ id: number }>('GET', '/api/bot/config')).id === next.id,
          'the bot is served the new version at its next poll',
        );
        await spansReach(2);
        await versionsBot.call('POST', '/api/bot/run/stop', { runId: run.runId, status: 'completed' });
        // The run's hours made exact with SQL (the API has no way to fake time): 4 h ago to 1 h ago, the new version from 3 h ago.
        const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
        await sql(
          databaseUrl,
          'update runs set started_at = $2, last_update_at = $3, stopped_at = $3 where id = $1',
          [run.runId, ago(4), ago(1)],
        );
        await sql(
          databaseUrl,
          'update bot_config_spans set started_at = $3, last_seen_at = $3 where bot_id = $1 and config_id = $2',
          [botId, first.id, ago(4.5)],
        );
        await sql(
          databaseUrl,
          'update bot_config_spans set started_at = $3, last_seen_at = $4 where bot_id = $1 and config_id = $2',
          [botId, next.id, ago(3), ago(1)],
        );
        await sql(databaseUrl, 'update trades set created_at = $2 where id = $1', [early.tradeId, ago(3.5)]);

        await page.goto(`${base}/analysis?bot=${botId}`);
        const row = (configId: number) =>
          page.locator(`[data-testid=version-row][data-config="${configId}"]`);
        await waitFor(page, `[data-testid=version-row][data-config="${next.id}"]`, 'picked up mid-run');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=version-row]').length === 2);
        const hoursOf = async (configId: number) =>
          (await row(configId).locator('[data-testid=version-hours]').innerText()).trim();
        expect(
          (await hoursOf(first.id)) === '1.00 h',
          `v${first.id} ran 1 h of the run (shown: ${await hoursOf(first.id)})`,
        );
        expect(
          (await hoursOf(next.id)) === '2.00 h',
          `v${next.id} ran 2 h of the run (shown: ${await hoursOf(next.id)})`,
        );
        for (const configId of [first.id, next.id]) {
          expect(
            (await row(configId).locator('[data-testid=version-runs]').innerText()).trim() === '1',
            `the run is listed under v${configId}`,
          );
        }
        const perHour = await row(first.id).locator('[data-testid=version-pnl-hour]').innerText();
        expect(
          perHour.includes('1.50'),
          `v${first.id}'s trade of +1.5 in its 1 h: 1.50 per hour (shown: ${perHour})`,
        );
        // The whole-run table below still lists the run under the version it started with only.
        await waitFor(page, `[data-testid=scores-table] tr[data-config="${first.id}"]`, `#${run.runId}`);
        expect(
          (await page.locator(`[data-testid=scores-table] tr[data-config="${next.id}"]`).count()) === 0,
          'no whole run started on the new version',
        );
        await shot(page, '64-analysis-time-under-versions');
        watch.take();
      },
    );

    await scenario(
      'the markets search finds a market; expired markets stay hidden until "Show expired"',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        await bot.call('POST', '/api/bot/markets/report', {
          markets: [
            {
              asset: 'ADA',
              window: '15m',
              windowId: 'ada-updown-15m-e2e-live',
              tokenId: 'e2e-ada-live',
              expiresAt: String(now + 1800),
            },
            {
              asset: 'ADA',
              window: '5m',
              windowId: 'ada-updown-5m-e2e-gone',
              tokenId: 'e2e-ada-gone',
              expiresAt: String(now - 600),
            },
          ],
        });
        const rows = () => page.locator('[data-testid=markets-table] tbody tr');
        await page.goto(`${base}/markets`);
        await waitFor(page, '[data-testid=markets-table] tbody tr');
        expect(
          (await page.locator('[data-testid=markets-table] tbody tr', { hasText: 'expired' }).count()) === 0,
          'no expired market without "Show expired"',
        );
        const firstLeft = await rows().first().locator('td').nth(3).innerText();
        expect(/^\d+:\d{2}$/.test(firstLeft), `the first market is live and expires soonest (${firstLeft})`);
        await page.fill('[data-testid=markets-search]', 'ADA-UPDOWN');
        await page.press('[data-testid=markets-search]', 'Enter');
        await page.waitForURL(/\/markets\?search=ADA-UPDOWN$/);
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid=markets-table] tbody tr').length === 1,
        );
        await waitFor(page, '[data-testid=markets-table] tbody tr', 'ada-updown-15m-e2e-live');
        await shot(page, '62-markets-search');
        await page.check('#show-expired');
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid=markets-table] tbody tr').length === 2,
        );
        expect(
          (await rows().nth(0).innerText()).includes('ada-updown-15m-e2e-live'),
          'the live market first',
        );
        expect(
          (await rows().nth(1).innerText()).includes('ada-updown-5m-e2e-gone') &&
            (await rows().nth(1).innerText()).includes('expired'),
          'then the expired one, marked expired',
        );
        await page.reload();
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid=markets-table] tbody tr').length === 2,
        );
        expect(
          (await page.locator('[data-testid=markets-search]').inputValue()) === 'ADA-UPDOWN' &&
            (await page.locator('#show-expired').isChecked()),
          'search and "Show expired" survive a reload',
        );
        await shot(page, '63-markets-search-expired');
        await page.fill('[data-testid=markets-search]', '100%_nothing');
        await page.press('[data-testid=markets-search]', 'Enter');
        await waitFor(page, 'pm-async-state', 'No market matches these filters.');
        watch.take();
      },
    );

    await scenario(
      'the P&L page: the day calendar, UTC or local days, weeks by bot kept across a reload, and a one-sided window about to expire highlighted',
      async () => {
        const admin = new Bot(base, adminKey);
        const started = await bot.call<{ runId: number }>('POST', '/api/bot/run/start', {
          mode: 'dry_run',
          startingBankroll: '300',
        });
        const expiresAt = String(Math.floor(Date.now() / 1000) + 90);
        await bot.call('POST', '/api/bot/markets/report', {
          markets: [
            {
              tokenId: 'pnl-up',
              tokenIdDown: 'pnl-down',
              asset: 'SOL',
              window: '5m',
              windowId: 'sol-5m-pnl',
              conditionId: '0xpnl',
              expiresAt,
            },
          ],
        });
        const won = await bot.call<{ tradeId: number }>('POST', '/api/bot/trade', {
          runId: started.runId,
          cycle: 1,
          asset: 'BTC',
          windowDuration: '15m',
          side: 'buy',
          outcome: 'Up',
          price: 0.5,
          size: 5,
          strategy: 'MM',
        });
        await bot.call('POST', '/api/bot/trade/update', {
          tradeId: won.tradeId,
          status: 'filled',
          fillPrice: 0.5,
          fillSize: 5,
          pnl: 1.25,
        });
        const open = await bot.call<{ tradeId: number }>('POST', '/api/bot/trade', {
          runId: started.runId,
          cycle: 2,
          asset: 'SOL',
          windowDuration: '5m',
          side: 'buy',
          outcome: 'Up',
          price: 0.4,
          size: 7,
          strategy: 'MM',
          conditionId: '0xpnl',
          tokenId: 'pnl-up',
        });
        await bot.call('POST', '/api/bot/trade/update', {
          tradeId: open.tradeId,
          status: 'filled',
          fillPrice: 0.4,
          fillSize: 7,
        });
        const today = new Date().toISOString().slice(0, 10);
        const api = await admin.call<{ total: string; buckets: { start: string; pnl: string }[] }>(
          'GET',
          `/api/v1/pnl/calendar?period=day&from=${today}&to=${today}`,
        );

        await page.goto(`${base}/pnl`);
        await waitFor(page, `[data-testid=pnl-day][data-day="${today}"]`);
        const cell = page.locator(`[data-testid=pnl-day][data-day="${today}"]`);
        expect(
          (await cell.getAttribute('class'))?.includes('good') === true,
          'today’s realised P&L is positive and coloured so',
        );
        expect(api.buckets.length === 1 && Number(api.total) > 1.2, 'the API has today’s P&L');
        expect(
          (await cell.innerText()).includes(Number(api.total).toFixed(2)),
          `the calendar shows today’s P&L ${api.total}`,
        );
        await waitFor(page, '[data-testid=exposure-row][data-risk=true]', 'one-sided');
        expect(
          (
            await page
              .locator('[data-testid=exposure-row][data-risk=true] [data-testid=exposure-one-sided]')
              .innerText()
          ).includes('Up'),
          'the one-sided side is named',
        );
        await shot(page, '70-pnl-calendar');

        await page.click('[data-testid=pnl-local]');
        await page.waitForURL(/tz=local/);
        const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
        await waitFor(page, '[data-testid=pnl-summary]', zone);
        await page.selectOption('[data-testid=pnl-period]', 'week');
        await page.selectOption('[data-testid=pnl-group]', 'bot');
        await page.waitForURL(/period=week/);
        await page.waitForURL(/by=bot/);
        const names = (await admin.call<{ items: { name: string }[] }>('GET', '/api/v1/bots')).items.map(
          (b) => b.name,
        );
        await waitFor(page, '[data-testid=pnl-table] thead', names[0]);
        await page.reload();
        await waitFor(page, '[data-testid=pnl-table] thead', names[0]);
        expect(
          (await page.locator('[data-testid=pnl-period]').inputValue()) === 'week',
          'the period survives a reload',
        );
        expect(
          (await page.locator('[data-testid=pnl-group]').inputValue()) === 'bot',
          'the grouping survives a reload',
        );
        await shot(page, '71-pnl-weeks-by-bot');
        await page.click('[data-testid=pnl-earlier]');
        await page.waitForURL(/end=/);
        await waitFor(page, '[data-testid=pnl-total]', '0.00');
        await bot.call('POST', '/api/bot/run/stop', {
          runId: started.runId,
          status: 'completed',
          totalPnl: 1.25,
        });
      },
    );

    await scenario(
      'five simulated bots for 20 s: the dashboard keeps up from the live events within a small request budget',
      async () => {
        watch.take();
        const runningBefore = (
          await request<{ total: number }>(base, 'GET', '/api/v1/runs?status=running&limit=1', {
            key: adminKey,
          })
        ).body.total;
        const asked: string[] = [];
        const onRequest = (r: PlaywrightRequest) => {
          const url = new URL(r.url());
          if (url.pathname.startsWith('/api/')) asked.push(`${r.method()} ${url.pathname}`);
        };
        page.on('request', onRequest);
        let simulated: SimulatorResult;
        let botsNamed = false;
        let chartsGrew = false;
        try {
          await page.goto(`${base}/dashboard`);
          await waitFor(page, 'h1', 'Dashboard');
          const simulator = runSimulator(base, adminKey, [
            '--keys',
            '5',
            '--duration',
            '20s',
            '--speed',
            '10',
            '--seed',
            'dashboard-budget',
          ]);
          // While the bots run, the dashboard names them as the Bots page does and draws their runs' P&L from
          // the events (checked after the budget, which is the point of this scenario).
          botsNamed = await waitFor(
            page,
            '[aria-label="Bot sim bot 5"] [data-testid=running-run]',
            undefined,
            20_000,
          ).then(
            () => true,
            () => false,
          );
          chartsGrew = await page
            .waitForFunction(
              () => {
                const chart = document.querySelector('[data-testid=pnl-chart] [role=img]');
                const label = chart?.getAttribute('aria-label') ?? '';
                return [1, 2, 3, 4, 5].every((n) =>
                  new RegExp(`sim bot ${n}: ([3-9]|\\d{2,}) points`).test(label),
                );
              },
              undefined,
              { timeout: 25_000 },
            )
            .then(
              () => true,
              () => false,
            );
          await shot(page, '19-dashboard-five-bots');
          simulated = await simulator;
          // Every simulated run has stopped: none is listed as running any more.
          await page.waitForFunction(
            () => !document.querySelector('[aria-label^="Bot sim bot"]'),
            undefined,
            { timeout: 15_000 },
          );
          await page.waitForTimeout(1500); // the last stops' notices and analyses arrive as events too
        } finally {
          page.off('request', onRequest);
        }
        expect(
          simulated.code === 0 && simulated.runsStarted === 5,
          `the simulator ran five bots (exit ${simulated.code}, ${simulated.runsStarted} runs):\n${simulated.output.slice(-800)}`,
        );
        const counts = new Map<string, number>();
        for (const what of asked) {
          const key = what.replace(/\/\d+(?=\/|$)/g, '/{id}');
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const breakdown = [...counts.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${v} × ${k}`)
          .join('\n        ');
        // The budget: what a user's open dashboard may ask for while five bots start, trade for 20 s and stop.
        //  - opening the page: GET /me, the event stream, the page's 9 lists (running runs, recent runs, bots,
        //    active config, latest trades, pauses, unread notices, wallet, wallet series) and one metric series
        //    per run already running;
        //  - each run started (5) or stopped (5): the running and recent runs and the bots re-read (3), and a
        //    started run's series fetched once (1): at most 4 each;
        //  - the latest trades, re-read at most once per 2 s while trades arrive (about 30 s of trading and
        //    stopping): 15;
        //  - the notices of the stops (run summaries, their deliveries), re-read at most once a second: 2 a stop.
        //  run.updated (a metric push every 3 s per bot) costs nothing: its payload carries the metrics, which
        //  are appended to the series, the runs' figures and the wallets. The old dashboard re-read the runs
        //  and every running run's whole series on each push (hundreds of requests in these 20 s).
        const budget = 2 + 9 + runningBefore + 5 * 4 + 5 * 4 + 15 + 5 * 2;
        console.log(`      ${asked.length} API requests (budget ${budget})`);
        expect(
          asked.length <= budget,
          `${asked.length} API requests, budget ${budget}:\n        ${breakdown}`,
        );
        const seriesFetches = counts.get('GET /api/v1/runs/{id}/metrics') ?? 0;
        expect(botsNamed, 'the dashboard lists the new bots’ running runs under their names (sim bot 1 … 5)');
        expect(
          chartsGrew,
          'the P&L chart has a line of three points or more for each simulated bot’s run, named by its bot',
        );
        expect(
          seriesFetches <= runningBefore + 5,
          `each run's metric series is fetched once (${seriesFetches} fetches for ${runningBefore + 5} runs)`,
        );
        const problems = watch.take();
        expect(problems.length === 0, `console errors:\n${problems.join('\n')}`);
      },
    );

    await scenario(
      'on a phone (390×844) the dashboard’s P&L KPI and the Bots page’s P&L are on screen, no sideways scrolling',
      async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        try {
          /** The element's box lies inside the viewport as it opens (no scrolling either way), and the page is no wider than the screen. */
          const inView = async (selector: string, what: string) => {
            const element = page.locator(selector).first();
            await element.waitFor({ state: 'visible', timeout: 10_000 });
            const box = await element.boundingBox();
            expect(box !== null, `${what}: no box`);
            const wide = await page.evaluate(() => ({
              scroll: document.documentElement.scrollWidth,
              width: window.innerWidth,
            }));
            expect(
              wide.scroll <= wide.width,
              `${what}: the page is ${wide.scroll} px wide on a ${wide.width} px screen`,
            );
            expect(
              box.x >= 0 && box.x + box.width <= 390 && box.y >= 0 && box.y + box.height <= 844,
              `${what} at x ${box.x}-${box.x + box.width}, y ${box.y}-${box.y + box.height}: not inside the 390×844 screen`,
            );
          };
          await page.goto(`${base}/dashboard`);
          await waitFor(page, 'h1', 'Dashboard');
          await inView('[data-testid=kpi-pnl-card]', 'the dashboard’s reported P&L KPI');
          await waitFor(page, '[data-testid=kpi-pnl-card]', 'may include unrealised');
          await shot(page, '19-phone-dashboard-pnl', false);
          await page.goto(`${base}/bots`);
          await waitFor(page, '[data-testid=bot-row]');
          await inView(
            '[data-testid=bot-row] [data-testid=bot-realised-pnl]',
            'the first bot’s realised P&L',
          );
          await inView(
            '[data-testid=bot-row] [data-testid=bot-reported-pnl]',
            'the first bot’s reported P&L',
          );
          await shot(page, '19-phone-bots-pnl', false);
        } finally {
          await page.setViewportSize({ width: 1366, height: 900 });
        }
      },
    );

    await scenario(
      'an experiment fills with evidence, tells the better version apart in plain words, and its winner is promoted to a tag',
      async () => {
        const admin = new Bot(base, adminKey);
        const active = await admin.call<{ id: number }>('GET', '/api/v1/configs/active');
        const better = await admin.call<{ id: number }>('POST', '/api/v1/configs', {
          basedOnId: active.id,
          values: { simEdge: 0.02 },
          note: 'fills 2 ¢ cheaper',
        });
        const traders: Bot[] = [];
        const botIds: number[] = [];
        for (const name of ['exp-base', 'exp-better']) {
          const created = await admin.call<{ secret: string; apiKey: { botId: number } }>(
            'POST',
            '/api/v1/api-keys',
            { name, scope: 'bot' },
          );
          traders.push(new Bot(base, created.secret));
          botIds.push(created.apiKey.botId);
        }
        const experiment = await admin.call<{ id: number }>('POST', '/api/v1/experiments', {
          name: 'cheaper fills on exp-better',
          configIds: [active.id, better.id],
          botIds,
          assign: [{ configId: better.id, botId: botIds[1] }],
        });
        // three one-hour runs a bot (dated with SQL: the page cannot wait hours), P&L 0.9-1.1 under the baseline, 2.9-3.1 under the better one
        const T0 = Date.now() - 10 * 3_600_000;
        for (const [i, pnls] of [
          [0, [0.9, 1, 1.1]],
          [1, [2.9, 3, 3.1]],
        ] as const) {
          await traders[i].call('GET', '/api/bot/config');
          for (const [k, pnl] of pnls.entries()) {
            const run = await traders[i].call<{ runId: number }>('POST', '/api/bot/run/start', {
              mode: 'dry_run',
              startingBankroll: 500,
            });
            const trade = await traders[i].call<{ tradeId: number }>('POST', '/api/bot/trade', {
              runId: run.runId,
              cycle: 1,
              asset: 'BTC',
              windowDuration: '15m',
              side: 'buy',
              outcome: 'Up',
              price: 0.5,
              size: 4,
              strategy: 'MM',
            });
            await traders[i].call('POST', '/api/bot/trade/update', {
              tradeId: trade.tradeId,
              status: 'filled',
              fillPrice: 0.5,
              fillSize: 4,
              pnl,
              resolvedOutcome: 'Up',
            });
            await traders[i].call('POST', '/api/bot/run/stop', {
              runId: run.runId,
              status: 'completed',
              totalPnl: pnl,
            });
            const start = new Date(T0 + (2 * k + 1) * 3_600_000);
            const end = new Date(start.getTime() + 3_600_000);
            await sql(
              databaseUrl,
              'update runs set started_at = $2, last_update_at = $3, stopped_at = $3 where id = $1',
              [run.runId, start.toISOString(), end.toISOString()],
            );
            await sql(databaseUrl, 'update trades set created_at = $2 where id = $1', [
              trade.tradeId,
              new Date(start.getTime() + 1_800_000).toISOString(),
            ]);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 1500)); // the polls are written once a second
        await sql(
          databaseUrl,
          'update bot_config_spans set started_at = $2 where bot_id = any($1::bigint[])',
          [botIds, new Date(T0).toISOString()],
        );
        await sql(databaseUrl, 'update experiments set started_at = $2 where id = $1', [
          experiment.id,
          new Date(T0).toISOString(),
        ]);

        await page.goto(`${base}/experiments/${experiment.id}`);
        await waitFor(
          page,
          '[data-testid=experiment-verdict]',
          new RegExp(`v${better.id} earns 2\\.00 USDC/h more than v${active.id}, 95 % CI`),
        );
        await waitFor(
          page,
          `[data-testid=experiment-version][data-config="${better.id}"]`,
          'fills 2 ¢ cheaper',
        );
        // each version's overall score from its runs' analyses, with its interval once it has three scored segments
        await waitFor(
          page,
          '[data-testid=experiment-score][data-score=overall]',
          /Overall\s*\d+(\.\d)?\s*\(\d+(\.\d)? to \d+(\.\d)?\)\s*\d+(\.\d)?\s*\(\d+(\.\d)? to \d+(\.\d)?\)/,
        );
        await shot(page, '16-experiment-verdict');
        await page.click(`[data-testid=promote-${better.id}]`);
        await page.selectOption('dialog[open] [data-testid=promote-to]', 'tag');
        await page.fill('dialog[open] [data-testid=promote-tag]', 'exp-winners');
        await page.click('dialog[open] button:has-text("Promote")');
        await waitFor(page, '[data-testid=experiment-status]', 'promoted');
        const assignments = await admin.call<{ items: { kind: string; target: string; configId: number }[] }>(
          'GET',
          '/api/v1/fleet/assignments',
        );
        expect(
          assignments.items.some(
            (a) => a.kind === 'tag' && a.target === 'exp-winners' && a.configId === better.id,
          ),
          'the winner is the tag’s version',
        );
        const audit = await admin.call<{ items: { action: string }[] }>('GET', '/api/v1/audit?limit=20');
        expect(
          audit.items.some((e) => e.action === 'experiment.promoted'),
          'the promotion is in the audit log',
        );
        await admin.call(
          'POST',
          `/api/v1/fleet/assignments/${(await admin.call<{ items: { id: number; target: string }[] }>('GET', '/api/v1/fleet/assignments')).items.find((a) => a.target === String(botIds[1]))?.id}/remove`,
        );
      },
    );

    await scenario('every page renders with no console errors (screens saved)', async () => {
      watch.take();
      await bot.call('POST', '/api/bot/run/stop', {
        runId,
        status: 'completed',
        totalPnl: 0.48,
        totalFills: 1,
        totalOrders: 3,
      });
      const second = await bot.call<{ runId: number }>('POST', '/api/bot/run/start', {
        mode: 'paper',
        startingBankroll: '250',
      });
      const pages: Array<[string, string, string]> = [
        ['dashboard', '/dashboard', 'Dashboard'],
        ['bots', '/bots', 'Bots'],
        ['pnl', '/pnl', 'P&L'],
        ['experiments', '/experiments', 'Experiments'],
        ['runs', '/runs', 'Runs'],
        ['run-detail', `/runs/${runId}`, `Run #${runId}`],
        ['run-compare', `/runs/compare?a=${runId}&b=${second.runId}`, 'Compare runs'],
        ['trades', '/trades', 'Trades'],
        ['markets', '/markets', 'Markets'],
        ['configs', '/configs', 'Configs'],
        ['analysis', '/analysis', 'Analysis'],
        ['notifications', '/notifications', 'Notifications'],
        ['audit', '/audit', 'Audit'],
        ['settings', '/settings', 'Settings'],
      ];
      const problems: string[] = [];
      let n = 20;
      for (const [name, path, heading] of pages) {
        await page.goto(`${base}${path}`);
        await waitFor(page, 'h1', heading);
        await page.waitForTimeout(700); // the event stream keeps the network busy: no "networkidle" here
        await shot(page, `${n++}-page-${name}`);
        problems.push(...watch.take().map((e) => `${path}: ${e}`));
      }
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [name, path, heading] of [pages[0], pages[4], pages[6]]) {
        await page.goto(`${base}${path}`);
        await waitFor(page, 'h1', heading);
        await shot(page, `${n++}-phone-${name}`);
      }
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.goto(`${base}/dashboard`);
      await page.click('button[aria-label="Switch to dark theme"]');
      await page.waitForTimeout(400);
      await shot(page, `${n++}-dark-dashboard`);
      await page.goto(`${base}/runs/${runId}`);
      await waitFor(page, 'h1', `Run #${runId}`);
      await shot(page, `${n++}-dark-run-detail`);
      problems.push(...watch.take());
      expect(problems.length === 0, `console errors:\n${problems.join('\n')}`);
    });

    const signInAs = async (key: string) => {
      if (!page.url().includes('/sign-in')) {
        await page.click('button[aria-label="Sign out"]');
        await page.waitForURL(/\/sign-in/);
      }
      await page.fill('#admin-key', key);
      await page.click('button[type=submit]');
    };
    const makeKey = async (name: string, scope: string) => {
      const made = await request<{ secret: string }>(base, 'POST', '/api/v1/api-keys', {
        key: adminKey,
        body: { name, scope },
      });
      expect(made.status === 201, `${scope} key created (${made.status} ${made.text})`);
      return made.body.secret;
    };
    const absent = async (selectors: string[], where: string) => {
      for (const selector of selectors)
        expect((await page.locator(selector).count()) === 0, `${where}: ${selector} should not be shown`);
    };

    await scenario('a bot key is told it cannot sign in here', async () => {
      await signInAs(botKey);
      await waitFor(page, '[data-testid=sign-in-error]', 'This is a bot key');
      expect(page.url().includes('/sign-in'), 'stays on sign-in');
      await shot(page, '40-sign-in-bot-key');
      watch.take();
    });

    await scenario('a viewer key sees no write controls anywhere', async () => {
      await signInAs(await makeKey('e2e viewer', 'viewer'));
      await page.waitForURL(/\/dashboard/);
      await waitFor(page, '[data-testid=signed-in-scope]', 'viewer');
      await waitFor(page, '[data-testid=signed-in-as]', 'e2e viewer');
      await waitFor(page, '[data-testid=orders-active], [data-testid=orders-paused]');
      await absent(['[data-testid=pause-orders]', '[data-testid=resume-orders]'], 'dashboard');
      await page.goto(`${base}/configs`);
      await waitFor(page, '[data-testid=versions-table] tbody tr');
      await waitFor(page, '[data-testid=view-active]');
      await absent(
        [
          '[data-testid^=activate-]',
          '[data-testid=rollback]',
          '[data-testid=pause-orders]',
          '[data-testid=resume-orders]',
          '[data-testid=edit-active]',
        ],
        'configs',
      );
      await shot(page, '41-viewer-configs');
      await page.click('[data-testid=view-active]');
      await waitFor(page, '[data-testid=read-only]', 'viewer');
      await absent(
        ['[data-testid=save-config]', '[data-testid=save-activate-config]', '[data-testid=activate-shown]'],
        'config editor',
      );
      await page.goto(`${base}/runs/${runId}`);
      await waitFor(page, 'h1', `Run #${runId}`);
      await absent(
        ['[data-testid=analyse-now]', '[data-testid=apply-suggestions]', '[data-testid=activate-applied]'],
        'run detail',
      );
      await page.goto(`${base}/notifications`);
      await waitFor(page, 'h1', 'Notifications');
      await absent(
        ['[data-testid=read-all]', '[data-testid^=mark-read-]', '[data-testid^=mark-unread-]'],
        'notifications',
      );
      await page.goto(`${base}/settings`);
      await waitFor(page, '[data-testid=retention-readonly]');
      await absent(
        [
          '#key-name',
          '[data-testid=create-key]',
          '[data-testid=channels]',
          '[data-testid=save-threshold]',
          '[data-testid=save-watch]',
          '[data-testid=save-retention]',
        ],
        'settings',
      );
      await shot(page, '42-viewer-settings');
      await page.goto(`${base}/audit`);
      await waitFor(page, '[data-testid=audit-row]');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/configs`);
      await waitFor(page, '[data-testid=versions-table] tbody tr');
      await shot(page, '43-phone-viewer-configs');
      await page.setViewportSize({ width: 1366, height: 900 });
      const problems = watch.take();
      expect(
        problems.length === 0,
        `a viewer's pages ask for nothing they may not read:\n${problems.join('\n')}`,
      );
    });

    await scenario(
      'an operator may pause and activate but sees no key, channel or settings controls',
      async () => {
        await signInAs(await makeKey('e2e operator', 'operator'));
        await page.waitForURL(/\/dashboard/);
        await waitFor(page, '[data-testid=signed-in-scope]', 'operator');
        await waitFor(page, '[data-testid=pause-orders], [data-testid=resume-orders]');
        await page.goto(`${base}/configs`);
        await waitFor(page, '[data-testid=versions-table] tbody tr');
        await waitFor(page, '[data-testid=rollback]');
        await waitFor(page, '[data-testid^=activate-]');
        await page.goto(`${base}/settings`);
        await waitFor(page, '[data-testid=retention-readonly]');
        await absent(
          [
            '#key-name',
            '[data-testid=create-key]',
            '[data-testid=channels]',
            '[data-testid=email-channel]',
            '[data-testid=webhook-channel]',
            '[data-testid=save-threshold]',
            '[data-testid=save-watch]',
            '[data-testid=save-retention]',
          ],
          'settings',
        );
        await shot(page, '44-operator-settings');
        const problems = watch.take();
        expect(
          problems.length === 0,
          `an operator's pages ask for nothing they may not read:\n${problems.join('\n')}`,
        );
      },
    );

    await scenario('sign-out forgets the key', async () => {
      await page.click('button[aria-label="Sign out"]');
      await page.waitForURL(/\/sign-in/);
      await page.goto(`${base}/trades`);
      await page.waitForURL(/\/sign-in/);
    });
  } catch (error) {
    failed++;
    failures.push(`setup: ${error instanceof Error ? error.message : String(error)}`);
    console.error(error);
  } finally {
    await context?.close().catch(() => undefined);
    if (failed && api) console.log(`--- API output (last 3000 chars) ---\n${api.output().slice(-3000)}`);
    await api?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
  }
  if (failures.length) console.log(`\nFailures:\n  ${failures.join('\n  ')}`);
  console.log(`screenshots: ${SHOTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

void main();
