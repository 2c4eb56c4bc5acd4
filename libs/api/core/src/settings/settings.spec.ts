import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDotEnv, readSettings, SettingsError } from './settings';

describe('readSettings', () => {
  it('gives the documented defaults', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      port: 3000,
      databaseUrl: null,
      corsOrigins: [],
      logLevel: 'info',
      bodyLimitBytes: 5 * 1024 * 1024,
    });
    expect(settings.dataDir).toMatch(/\.data$/);
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      readSettings({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        ADMIN_API_KEY: 'short',
        CORS_ORIGINS: 'example.com',
      });
    expect(attempt).toThrow(SettingsError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as SettingsError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'ADMIN_API_KEY', 'CORS_ORIGINS'])
        expect(problems).toContain(name);
    }
  });

  it('turns GET /metrics on only with its own key', () => {
    const key = 'scrape-key-0123456789';
    expect(readSettings({}).metrics).toEqual({ enabled: false, key: null });
    expect(readSettings({ METRICS_KEY: key }).metrics).toEqual({ enabled: true, key });
    expect(readSettings({ METRICS_KEY: key, METRICS_ENABLED: 'false' }).metrics).toEqual({
      enabled: false,
      key,
    });
    const problems = (env: Record<string, string>): string => {
      try {
        readSettings(env);
        return '';
      } catch (error) {
        return (error as SettingsError).problems.join('\n');
      }
    };
    expect(problems({ METRICS_ENABLED: 'true' })).toContain('METRICS_ENABLED=true needs METRICS_KEY');
    expect(problems({ METRICS_ENABLED: 'maybe', METRICS_KEY: key })).toContain(
      'METRICS_ENABLED must be true or false',
    );
    expect(problems({ METRICS_KEY: 'short' })).toContain('METRICS_KEY must be 16 to 256 characters');
    expect(problems({ METRICS_KEY: key, ADMIN_API_KEY: key })).toContain(
      'METRICS_KEY must differ from ADMIN_API_KEY and BOT_API_KEY',
    );
    expect(problems({ METRICS_KEY: key, BOT_API_KEY: key })).toContain('METRICS_KEY must differ');
    expect(problems({ METRICS_KEY: key, BOT_API_KEY: key })).not.toContain(key); // the secret is never echoed
  });

  it('splits CORS origins', () => {
    expect(readSettings({ CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).corsOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
  });
});

describe('loadDotEnv', () => {
  it('reads .env without overriding what the environment already says', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nPORT=4000\nexport LOG_LEVEL="debug"\nBOT_API_KEY=abc # trailing\n');
    const env: Record<string, string | undefined> = { PORT: '5000' };
    loadDotEnv(env, file);
    expect(env).toEqual({ PORT: '5000', LOG_LEVEL: 'debug', BOT_API_KEY: 'abc' });
  });
});

describe('readSettings: back office', () => {
  it('reads notification, wallet and retention settings', () => {
    const settings = readSettings({
      SMTP_URL: 'smtp://user:secret@127.0.0.1:2525',
      NOTIFY_EMAIL_TO: 'a@example.com, b@example.com',
      WEBHOOK_URL: 'https://hooks.example/x',
      WEBHOOK_FORMAT: 'Discord',
      WALLET_ADDRESS: '0x' + 'ab'.repeat(20),
      WALLET_RPC_URL: 'http://127.0.0.1:8545',
      WALLET_LOW_BALANCE: '25.5',
      METRIC_RETENTION_DAYS: '30',
    });
    expect(settings).toMatchObject({
      smtpUrl: 'smtp://user:secret@127.0.0.1:2525',
      notifyEmailTo: ['a@example.com', 'b@example.com'],
      webhookFormat: 'discord',
      walletLowBalance: '25.5',
      metricRetentionDays: 30,
      walletPollSeconds: 300,
    });
  });

  it('names each bad back-office variable and never echoes a password', () => {
    try {
      readSettings({
        SMTP_URL: 'http://user:secret@mail',
        NOTIFY_EMAIL_TO: 'nobody',
        WEBHOOK_FORMAT: 'teams',
        WALLET_ADDRESS: '0x12',
        WALLET_LOW_BALANCE: 'lots',
      });
      throw new Error('expected a SettingsError');
    } catch (error) {
      const problems = (error as SettingsError).problems.join('\n');
      for (const name of [
        'SMTP_URL',
        'NOTIFY_EMAIL_TO',
        'WEBHOOK_FORMAT',
        'WALLET_ADDRESS',
        'WALLET_RPC_URL',
        'WALLET_LOW_BALANCE',
      ]) {
        expect(problems).toContain(name);
      }
      expect(problems).not.toContain('secret');
    }
  });
});

describe('readSettings: Telegram', () => {
  const token = '123456789:AAHabcdefghijklmnopqrstuvwxyz012345';

  it('defaults to the real Bot API and reads a token, a chat id and another base URL', () => {
    expect(readSettings({})).toMatchObject({
      telegramApiUrl: 'https://api.telegram.org',
      telegramBotToken: null,
      telegramChatId: null,
    });
    expect(
      readSettings({
        TELEGRAM_API_URL: 'http://127.0.0.1:8081/',
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_CHAT_ID: '@polymaker_ops',
      }),
    ).toMatchObject({
      telegramApiUrl: 'http://127.0.0.1:8081',
      telegramBotToken: token,
      telegramChatId: '@polymaker_ops',
    });
    expect(readSettings({ TELEGRAM_CHAT_ID: '-1001234567890' }).telegramChatId).toBe('-1001234567890');
  });

  it('names a bad token without echoing it, a bad chat id and a bad base URL', () => {
    const secret = '123456789:not/a/token/but/secret-looking-text';
    try {
      readSettings({ TELEGRAM_BOT_TOKEN: secret, TELEGRAM_CHAT_ID: 'ops', TELEGRAM_API_URL: 'ftp://x' });
      throw new Error('accepted');
    } catch (error) {
      const problems = (error as SettingsError).problems.join('\n');
      for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID', 'TELEGRAM_API_URL'])
        expect(problems).toContain(name);
      expect(problems).not.toContain('secret-looking');
    }
  });
});

describe('readSettings: timeouts, proxy trust, auth limits, live stream and database timeouts', () => {
  it('gives the documented defaults', () => {
    expect(readSettings({}).resilience).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 72_000,
      listenBacklog: 4096,
      trustProxy: false,
      authFailuresPerMinute: 30,
      apiKeyCacheSize: 10_000,
      apiKeyCacheSeconds: 5,
      liveClientBufferBytes: 1024 * 1024,
      liveReplayEvents: 1000,
      dbConnectTimeoutMs: 3000,
      dbAcquireTimeoutMs: 5000,
      overload: {
        maxInFlightWrites: 512,
        maxEventLoopLagMs: 1000,
        targetEventLoopLagMs: 50,
        maxPoolWaiting: 64,
        retryAfterSeconds: 1,
      },
    });
  });

  it('reads the overload bounds (0 turns one off) and names a bad one', () => {
    expect(
      readSettings({
        OVERLOAD_MAX_IN_FLIGHT: '0',
        OVERLOAD_MAX_LAG_MS: '250',
        OVERLOAD_TARGET_LAG_MS: '0',
        OVERLOAD_RETRY_AFTER_SECONDS: '3',
      }).resilience.overload,
    ).toEqual({
      maxInFlightWrites: 0,
      maxEventLoopLagMs: 250,
      targetEventLoopLagMs: 0,
      maxPoolWaiting: 64,
      retryAfterSeconds: 3,
    });
    expect(() => readSettings({ OVERLOAD_RETRY_AFTER_SECONDS: '0' })).toThrow(/OVERLOAD_RETRY_AFTER_SECONDS/);
    expect(() => readSettings({ OVERLOAD_MAX_IN_FLIGHT: 'many' })).toThrow(/OVERLOAD_MAX_IN_FLIGHT/);
    expect(() => readSettings({ OVERLOAD_TARGET_LAG_MS: '-5' })).toThrow(/OVERLOAD_TARGET_LAG_MS/);
    expect(() => readSettings({ LISTEN_BACKLOG: '0' })).toThrow(/LISTEN_BACKLOG/);
  });

  it('reads TRUST_PROXY as off, on, a hop count or proxy addresses', () => {
    expect(readSettings({ TRUST_PROXY: 'false' }).resilience.trustProxy).toBe(false);
    expect(readSettings({ TRUST_PROXY: 'true' }).resilience.trustProxy).toBe(true);
    expect(readSettings({ TRUST_PROXY: '2' }).resilience.trustProxy).toBe(2);
    expect(readSettings({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).resilience.trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
    ]);
  });

  it('names each bad variable', () => {
    try {
      readSettings({
        TRUST_PROXY: 'proxy.example',
        REQUEST_TIMEOUT_MS: '2000',
        HEADERS_TIMEOUT_MS: '5000',
        LIVE_CLIENT_BUFFER_BYTES: '10',
        DB_ACQUIRE_TIMEOUT_MS: 'soon',
      });
      throw new Error('expected a SettingsError');
    } catch (error) {
      const problems = (error as SettingsError).problems.join('\n');
      for (const name of [
        'TRUST_PROXY',
        'HEADERS_TIMEOUT_MS (5000) must not exceed REQUEST_TIMEOUT_MS',
        'LIVE_CLIENT_BUFFER_BYTES',
        'DB_ACQUIRE_TIMEOUT_MS',
      ]) {
        expect(problems).toContain(name);
      }
    }
  });
});
