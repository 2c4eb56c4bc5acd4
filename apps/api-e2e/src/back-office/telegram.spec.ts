import { startTestApi, TestApi } from '../support/api';
import {
  LoopbackTelegram,
  outboxSettled,
  sql,
  startTelegramBotApi,
  TelegramRequest,
  waitFor,
} from './loopback';
import { Json, playSession } from './session';

const PUBLIC_URL = 'https://cc.example.test';
const SECRET = 'AAHsecretSecretSecret-0123456789_abcdef';
const TOKEN = `123456789:${SECRET}`;
const CHAT = '-1001234567890';
const CHANNEL = '@polymaker_ops';

describe('back office: Telegram notifications through the Bot API', () => {
  let t: TestApi;
  let telegram: LoopbackTelegram;
  /** Every answer the API gave in this suite, to show the token is in none of them. */
  const answers: string[] = [];
  const admin = async <T = Json>(method: string, path: string, body?: unknown) => {
    const response = await t.admin<T>(method, path, body);
    answers.push(response.text);
    return response;
  };
  const messagesFor = (runId: number): TelegramRequest[] =>
    telegram.requests.filter((r) => String(r.body['text'] ?? '').includes(`Run #${runId} `));
  const deliveryFor = async (runId: number): Promise<Json | undefined> => {
    const notifications = (await admin<{ items: Json[] }>('GET', `/api/v1/notifications?limit=100`)).body
      .items;
    const notification = notifications.find((n) => n['runId'] === runId);
    return ((notification?.['deliveries'] as Json[] | undefined) ?? []).find(
      (d) => d['channel'] === 'telegram',
    );
  };
  const telegramRows = () =>
    sql(t.databaseUrl, "select * from back_office_settings where key = 'channel.telegram'");
  const telegramAudit = async () =>
    (await admin<{ items: Json[] }>('GET', '/api/v1/audit?action=channel.telegram.updated')).body.items;

  beforeAll(async () => {
    telegram = await startTelegramBotApi(TOKEN, [CHAT, CHANNEL]);
    t = await startTestApi('backoffice_telegram', {
      TELEGRAM_API_URL: telegram.url,
      PUBLIC_URL,
      LOG_LEVEL: 'debug',
      NOTIFY_RETRY_BASE_SECONDS: '1',
      OUTBOX_POLL_MS: '100',
      WALLET_LOW_BALANCE: '50',
      WALLET_ALERT_COOLDOWN_MINUTES: '0',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await telegram?.close();
  });

  it('refuses a bad bot token or chat id with a 400 naming the field, and writes nothing', async () => {
    const before = (await admin('GET', '/api/v1/notification-channels')).body['telegram'];
    expect(before).toEqual({ enabled: false, configured: false, botToken: null, chatId: null });
    const untested = await admin('POST', '/api/v1/notification-channels/telegram/test');
    expect(untested.body).toMatchObject({
      ok: false,
      channel: 'telegram',
      error: expect.stringContaining('Telegram is not configured'),
    });

    for (const body of [
      { botToken: 'not-a-token-at-all-but-long-enough-1234567890' },
      { botToken: '123456789:short' },
      { botToken: `${TOKEN}/../getMe` },
      { botToken: 123456789 },
      { botToken: TOKEN, chatId: 'ops' },
      { botToken: TOKEN, chatId: '-100123abc' },
      { botToken: TOKEN, chatId: '@ab' },
      { botToken: TOKEN, chatId: CHAT, extra: true },
      { enabled: 'yes' },
    ]) {
      const refused = await admin<{ message: string; details?: { field: string }[] }>(
        'PUT',
        '/api/v1/notification-channels/telegram',
        body,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.details?.length).toBeGreaterThan(0);
      expect(refused.text).not.toContain(SECRET);
    }
    const badToken = await admin<{ message: string }>('PUT', '/api/v1/notification-channels/telegram', {
      botToken: '123:nope',
    });
    expect(badToken.body.message).toContain('botToken must be a bot token as BotFather gives it');
    const badChat = await admin<{ message: string }>('PUT', '/api/v1/notification-channels/telegram', {
      chatId: 'ops channel',
    });
    expect(badChat.body.message).toContain(
      'chatId must be a numeric chat id such as -1001234567890 or a @channelusername',
    );

    expect(await telegramRows()).toEqual([]);
    expect(await telegramAudit()).toEqual([]);
    expect(telegram.requests).toHaveLength(0);
  });

  it('stores the bot token and chat id, shows the token masked, audits the change without it, and sends a test', async () => {
    const saved = await admin('PUT', '/api/v1/notification-channels/telegram', {
      botToken: TOKEN,
      chatId: CHAT,
    });
    expect(saved.status).toBe(200);
    expect(saved.body['telegram']).toEqual({
      enabled: true,
      configured: true,
      botToken: '123456789:***',
      chatId: CHAT,
    });
    expect(saved.text).not.toContain(SECRET);

    const [entry] = await telegramAudit();
    expect(entry).toMatchObject({
      targetType: 'channel',
      targetId: 'telegram',
      before: { enabled: false, botToken: null, chatId: null },
      after: {
        enabled: true,
        botToken: '[redacted]',
        chatId: CHAT,
        changedFields: expect.arrayContaining(['botToken', 'chatId', 'enabled']),
      },
    });

    const test = await admin('POST', '/api/v1/notification-channels/telegram/test');
    expect(test.body).toMatchObject({
      ok: true,
      channel: 'telegram',
      target: CHAT,
      detail: { messageId: expect.any(Number), chatId: CHAT },
      error: null,
    });
    const sent = telegram.requests[telegram.requests.length - 1];
    expect(sent).toMatchObject({ token: TOKEN, method: 'sendMessage', answered: 200 });
    expect(sent.body).toMatchObject({ chat_id: CHAT, parse_mode: 'HTML', disable_web_page_preview: true });
    expect(sent.body['text']).toMatch(/^<b>Test notification \(telegram\)<\/b>\n\n<b>Sent at:<\/b> \d{4}-/);
    expect(sent.body['text']).toContain(
      `<a href="${PUBLIC_URL}/notifications">Open in the Command Center</a>`,
    );
  });

  it('sends the run summary of a bot session as an HTML message once its analysis is complete', async () => {
    const { runId, stop } = await playSession(t.bot, t.databaseUrl, {
      trades: 6,
      fills: 4,
      pnlPerFill: 0.5,
      metrics: { totalPnl: 2, totalOrders: 6, totalFills: 4 },
    });
    expect(stop?.status).toBe(200);
    const [message] = await waitFor('the summary on Telegram', () =>
      messagesFor(runId).length > 0 ? messagesFor(runId) : null,
    );
    const analysisId = (stop?.body['analysis'] as Json)['analysisId'];
    const analysis = (await admin('GET', `/api/v1/analyses/${analysisId}`)).body;
    expect(analysis['state']).toBe('complete');
    const text = String(message.body['text']);
    expect(message.body['chat_id']).toBe(CHAT);
    expect(text.split('\n')[0]).toBe(
      `<b>Run #${runId} completed · score ${analysis['overallScore']}/100 · P&amp;L +2 USDC</b>`,
    );
    expect(text).toContain('\n<b>P&amp;L:</b> +2 USDC\n');
    expect(text).toContain('\n<b>Fills:</b> 4 of 6 orders');
    expect(text).toContain('\n<b>Mode:</b> dry_run\n');
    expect(text).toContain('Data too thin'); // the full analysis's suggestion message, not the stop's quick score
    expect(text.endsWith(`\n\n<a href="${PUBLIC_URL}/runs/${runId}">Open in the Command Center</a>`)).toBe(
      true,
    );

    const delivery = await waitFor('the delivery logged as sent', async () => {
      const found = await deliveryFor(runId);
      return found?.['status'] === 'sent' ? found : null;
    });
    expect(delivery).toMatchObject({
      channel: 'telegram',
      target: CHAT,
      attempts: 1,
      lastError: null,
      detail: { chatId: CHAT, messageId: expect.any(Number) },
    });
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    expect(messagesFor(runId)).toHaveLength(1);
  });

  it("alerts an error stop with the bot's message escaped, and a low balance", async () => {
    const { runId } = await playSession(t.bot, t.databaseUrl, {
      status: 'error',
      errorMessage: 'CLOB <rejected> order & "gave up"',
    });
    const [message] = await waitFor('the error alert', () =>
      messagesFor(runId).length > 0 ? messagesFor(runId) : null,
    );
    expect(String(message.body['text'])).toMatch(new RegExp(`^<b>Run #${runId} stopped with an error</b>\n`));
    expect(message.body['text']).toContain('\n\nError: CLOB &lt;rejected&gt; order &amp; "gave up"');

    const running = await playSession(t.bot, t.databaseUrl, { stop: false, trades: 0 });
    for (const walletBalance of [120, 20]) {
      expect(
        (await t.bot('POST', '/api/bot/run/update', { runId: running.runId, walletBalance })).status,
      ).toBe(200);
    }
    const low = await waitFor('the low-balance alert', () =>
      telegram
        .delivered()
        .find((r) => String(r.body['text']).startsWith('<b>Wallet balance low: 20 USDC (threshold 50)</b>')),
    );
    expect(low.body['text']).toContain('\n<b>Threshold:</b> 50 USDC\n');
    expect(low.body['text']).toContain(`<a href="${PUBLIC_URL}/settings">`);
  });

  it('waits the retry_after Telegram asks for on a 429, then delivers the message once', async () => {
    telegram.throttleNext(1, 2);
    const { runId } = await playSession(t.bot, t.databaseUrl, {});
    const delivery = await waitFor('the summary delivered on its second attempt', async () => {
      const found = await deliveryFor(runId);
      return found?.['status'] === 'sent' ? found : null;
    });
    expect(delivery).toMatchObject({ attempts: 2, status: 'sent' });
    expect(delivery['lastError']).toBe(
      `Telegram sendMessage to chat ${CHAT} answered 429: Too Many Requests: retry after 2; retrying after 2 s as asked`,
    );
    const tries = messagesFor(runId);
    expect(tries.map((r) => r.answered)).toEqual([429, 200]);
    // NOTIFY_RETRY_BASE_SECONDS is 1 (at most 1.2 s with jitter): the 2 s wait is Telegram's
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1900);
  });

  it('gives up at once on a permanent error (chat not found) and shows it in the delivery log without the token', async () => {
    expect(
      (await admin('PUT', '/api/v1/notification-channels/telegram', { chatId: '@not_a_known_chat' })).status,
    ).toBe(200);
    const { runId } = await playSession(t.bot, t.databaseUrl, {});
    const delivery = await waitFor('the delivery failed', async () => {
      const found = await deliveryFor(runId);
      return found?.['status'] === 'failed' ? found : null;
    });
    expect(delivery).toMatchObject({ attempts: 1, nextAttemptAt: null, target: '@not_a_known_chat' });
    expect(delivery['lastError']).toBe(
      'Telegram sendMessage to chat @not_a_known_chat answered 400: Bad Request: chat not found (check the chat id and that the bot is in the chat); not retried',
    );
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    expect(messagesFor(runId).map((r) => r.answered)).toEqual([400]);
    const log = (
      await admin<{ items: Json[] }>('GET', '/api/v1/notification-deliveries?channel=telegram&status=failed')
    ).body.items;
    expect(log.map((d) => d['id'])).toContain(delivery['id']);

    const test = await admin('POST', '/api/v1/notification-channels/telegram/test');
    expect(test.body).toMatchObject({
      ok: false,
      target: '@not_a_known_chat',
      error: expect.stringContaining('chat not found'),
    });

    // a token Telegram does not know: 401, told as such, never shown
    const other = `987654321:${'x'.repeat(35)}`;
    await admin('PUT', '/api/v1/notification-channels/telegram', { chatId: CHANNEL, botToken: other });
    const unauthorized = await admin('POST', '/api/v1/notification-channels/telegram/test');
    expect(unauthorized.body).toMatchObject({
      ok: false,
      target: CHANNEL,
      error:
        'Telegram sendMessage to chat @polymaker_ops answered 401: Unauthorized (check the bot token); not retried',
    });
    expect(unauthorized.text).not.toContain('x'.repeat(35));

    await admin('PUT', '/api/v1/notification-channels/telegram', { botToken: TOKEN });
    expect((await admin('POST', '/api/v1/notification-channels/telegram/test')).body).toMatchObject({
      ok: true,
      target: CHANNEL,
    });
  });

  it('stops sending to Telegram when disabled, and never shows or logs the token anywhere', async () => {
    await admin('PUT', '/api/v1/notification-channels/telegram', { enabled: false });
    const { runId } = await playSession(t.bot, t.databaseUrl, {});
    await waitFor('the inbox notification', async () =>
      (await admin<{ items: Json[] }>('GET', '/api/v1/notifications')).body.items.some(
        (n) => n['runId'] === runId,
      ),
    );
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    expect(messagesFor(runId)).toHaveLength(0);
    expect(await deliveryFor(runId)).toBeUndefined();

    for (const path of [
      '/api/v1/notification-channels',
      '/api/v1/notification-deliveries?limit=1000',
      '/api/v1/notifications?limit=100',
      '/api/v1/outbox?limit=500',
      '/api/v1/audit?limit=500',
    ]) {
      expect((await admin('GET', path)).status).toBe(200);
    }
    for (const answer of answers) expect(answer).not.toContain(SECRET);
    const audit = await telegramAudit();
    expect(audit.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    const jobs = await sql<{ payload: Json; last_error: string | null }>(
      t.databaseUrl,
      'select payload, last_error from outbox_jobs',
    );
    expect(JSON.stringify(jobs)).not.toContain(SECRET);
    // at rest only where the channel settings live (it must be sent): no log, job, audit or idempotency row holds it
    const columns = await sql<{ table_name: string; column_name: string }>(
      t.databaseUrl,
      "select table_name, column_name from information_schema.columns where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb')",
    );
    const holders: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const hit = await sql(
        t.databaseUrl,
        `select 1 from "${table}" where position($1 in "${column}"::text) > 0 limit 1`,
        [SECRET],
      );
      if (hit.length) holders.push(`${table}.${column}`);
    }
    expect(holders).toEqual(['back_office_settings.value']);
    const output = t.api.output();
    expect(output).toContain('Telegram sendMessage to chat'); // the failures were logged...
    expect(output).not.toContain(SECRET); // ...without the token
  });
});
