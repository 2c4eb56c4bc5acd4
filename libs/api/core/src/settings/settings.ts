import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Every setting of the Command Center. Each one is an environment variable (see the README table). */
export interface Settings {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  adminApiKey: string | null;
  botApiKey: string | null;
  corsOrigins: string[];
  logLevel: LogLevel;
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  publicUrl: string;
  runStaleAfterSeconds: number;
  adminDistDir: string | null;
  /** How often the scheduler looks for stale runs. */
  runStaleCheckSeconds: number;
  /** Notifications: env defaults; the admin API may override them (stored in back_office_settings). */
  smtpUrl: string | null;
  notifyEmailFrom: string;
  notifyEmailTo: string[];
  webhookUrl: string | null;
  webhookFormat: WebhookFormat;
  /** Telegram: the Bot API's base URL (a test points it at a loopback server), the bot's token (a secret) and the chat. */
  telegramApiUrl: string;
  telegramBotToken: string | null;
  telegramChatId: string | null;
  notifyMaxAttempts: number;
  notifyRetryBaseSeconds: number;
  /** The full analysis of a stopped or stale run (an outbox job): attempts before it gives up, first retry wait. */
  analysisMaxAttempts: number;
  analysisRetryBaseSeconds: number;
  /** The durable queue (outbox): how often each instance looks for due jobs, and how long done jobs are kept. */
  outboxPollMs: number;
  outboxRetentionDays: number;
  /**
   * How long a claimed job (or the wallet poll) is leased to its worker: it must outlast the slowest
   * outside call (SMTP gives up after 10 s connecting and 20 s idle, a webhook or JSON-RPC call after
   * 10 s). A job whose worker died is claimed again once its lease has run out.
   */
  outboxLeaseSeconds: number;
  /** Wallet: optional watched public address read over a Polygon JSON-RPC URL, and the low-balance threshold. */
  walletAddress: string | null;
  walletRpcUrl: string | null;
  walletUsdcContract: string;
  walletPollSeconds: number;
  /** After a low-balance alert, another for the same bot waits at least this long (0: none). */
  walletAlertCooldownMinutes: number;
  walletLowBalance: string | null;
  /** Retention: metric points older than this many days are deleted (0 keeps them forever). */
  metricRetentionDays: number;
  maintenanceIntervalSeconds: number;
  /** How often the pnl-fold job moves the P&L journal into the hourly and daily rollups. */
  pnlFoldSeconds: number;
  /** Slow clients and database faults (see the README's timeout table and database-outage notes). */
  resilience: ResilienceSettings;
  /** GET /metrics (Prometheus text format): off unless METRICS_KEY is set; its own secret, never an API key. */
  metrics: MetricsSettings;
}

/** The Prometheus endpoint: on only with its own key (METRICS_KEY), which scrapers send as `Authorization: Bearer`. */
export interface MetricsSettings {
  enabled: boolean;
  /** 16 to 256 characters; never one of the API keys' values; never logged. */
  key: string | null;
}

/** HTTP timeouts, proxy trust, failed-auth limits, the live stream's buffers and the database timeouts. */
export interface ResilienceSettings {
  /** The whole request (headers and body) must arrive within this; else 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** The request headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * Connections the kernel queues for the server to accept (capped by net.core.somaxconn). Past it a
   * new connection's SYN is dropped and the client retries it after 1, 3, 7 s: a fleet connecting at
   * once must fit.
   */
  listenBacklog: number;
  /** Whose X-Forwarded-For to believe: false (the peer address is the client), true (any), a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  /** Failed authentications allowed per client address per minute (a burst of as many), before any database lookup. */
  authFailuresPerMinute: number;
  /** Entries in each of the key caches (valid keys; unknown keys). */
  apiKeyCacheSize: number;
  /** How long a key lookup is trusted before it is checked against the database again. */
  apiKeyCacheSeconds: number;
  /** Bytes queued for one live-stream client before it is dropped as too slow. */
  liveClientBufferBytes: number;
  /** Recent live events kept to replay to a client reconnecting with Last-Event-ID. */
  liveReplayEvents: number;
  /** Opening a database connection gives up after this. */
  dbConnectTimeoutMs: number;
  /** Waiting for a free pooled connection gives up after this. */
  dbAcquireTimeoutMs: number;
  /** Past capacity, bot writes are answered 503 at once instead of queueing (see the overload guard). */
  overload: OverloadSettings;
}

/** When bot writes are shed (503 with Retry-After) instead of queued; 0 turns a bound off. */
export interface OverloadSettings {
  /** Bot write requests (POST /api/bot/*) being handled at once by this instance. */
  maxInFlightWrites: number;
  /** Event-loop delay (90th percentile of the last quarter second) past which every new bot write is shed. */
  maxEventLoopLagMs: number;
  /** Event-loop delay the in-flight bound adapts to: it shrinks while the median delay is above this (0: a fixed bound). */
  targetEventLoopLagMs: number;
  /** Requests waiting for a free plain SQL connection past which new bot writes are shed. */
  maxPoolWaiting: number;
  /** The Retry-After of a shed request. */
  retryAfterSeconds: number;
}

export type WebhookFormat = 'generic' | 'discord' | 'slack';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['generic', 'discord', 'slack'];

/** A Telegram bot token as BotFather gives it: the bot's numeric id, a colon, the secret. */
export const TELEGRAM_TOKEN_PATTERN = /^\d{3,20}:[A-Za-z0-9_-]{30,100}$/;
/** A Telegram chat: a numeric id (groups and channels are negative, e.g. -1001234567890) or a public @username. */
export const TELEGRAM_CHAT_ID_PATTERN = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads `.env` from the working directory (when present) without overriding variables that are
 * already set, so the real environment always wins.
 */
export function loadDotEnv(env: Env = process.env, file = resolve(process.cwd(), '.env')): void {
  if (!existsSync(file)) return;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, name, rawValue] = match;
    let value = rawValue.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    if (env[name] === undefined) env[name] = value;
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses and validates the environment; every problem names the variable and what it expects. */
export function readSettings(env: Env = process.env): Settings {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = text(name);
    if (value === null) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  };
  const apiKey = (name: string): string | null => {
    const value = text(name);
    if (value !== null && (value.length < 16 || value.length > 256 || /\s/.test(value))) {
      problems.push(`${name} must be 16 to 256 characters with no spaces (got ${value.length} characters)`);
      return null;
    }
    return value;
  };

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const logLevel = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const corsOrigins = (text('CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS entries must be origins like https://admin.example.com (got "${origin}")`);
    }
  }
  const port = integer('PORT', 3000, 0, 65535);
  const publicUrl = (text('PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(publicUrl)) problems.push('PUBLIC_URL must start with http:// or https://');

  const optionalUrl = (name: string, schemes: string[]): string | null => {
    const value = text(name);
    if (value === null) return null;
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      parsed = null;
    }
    if (!parsed || !schemes.includes(parsed.protocol.replace(/:$/, ''))) {
      problems.push(
        `${name} must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')} (got "${redactUrl(value)}")`,
      );
      return null;
    }
    return value;
  };
  const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+$/;
  const emailFrom = text('NOTIFY_EMAIL_FROM') ?? 'PolyMaker Command Center <polymaker@localhost>';
  if (!EMAIL.test(/<([^>]*)>/.exec(emailFrom)?.[1] ?? emailFrom)) {
    problems.push(
      `NOTIFY_EMAIL_FROM must be an address like bot@example.com or "Name <bot@example.com>" (got "${emailFrom}")`,
    );
  }
  const emailTo = (text('NOTIFY_EMAIL_TO') ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  for (const address of emailTo) {
    if (!EMAIL.test(address))
      problems.push(`NOTIFY_EMAIL_TO must be a comma-separated list of addresses (got "${address}")`);
  }
  const webhookFormat = (text('WEBHOOK_FORMAT') ?? 'generic').toLowerCase();
  if (!WEBHOOK_FORMATS.includes(webhookFormat as WebhookFormat)) {
    problems.push(`WEBHOOK_FORMAT must be one of ${WEBHOOK_FORMATS.join(', ')} (got "${webhookFormat}")`);
  }
  const telegramApiUrl = (
    optionalUrl('TELEGRAM_API_URL', ['http', 'https']) ?? 'https://api.telegram.org'
  ).replace(/\/+$/, '');
  const telegramBotToken = text('TELEGRAM_BOT_TOKEN');
  if (telegramBotToken !== null && !TELEGRAM_TOKEN_PATTERN.test(telegramBotToken)) {
    // never the value: it is a secret
    problems.push(
      `TELEGRAM_BOT_TOKEN must be a bot token as BotFather gives it, digits:secret (got ${telegramBotToken.length} characters)`,
    );
  }
  const telegramChatId = text('TELEGRAM_CHAT_ID');
  if (telegramChatId !== null && !TELEGRAM_CHAT_ID_PATTERN.test(telegramChatId)) {
    problems.push(
      `TELEGRAM_CHAT_ID must be a numeric chat id such as -1001234567890 or a @channelusername (got "${telegramChatId.slice(0, 40)}")`,
    );
  }
  const walletAddress = text('WALLET_ADDRESS');
  if (walletAddress !== null && !/^0x[0-9a-fA-F]{40}$/.test(walletAddress)) {
    problems.push(
      `WALLET_ADDRESS must be a public address: 0x followed by 40 hex digits (got "${walletAddress}")`,
    );
  }
  const walletRpcUrl = optionalUrl('WALLET_RPC_URL', ['http', 'https']);
  if (walletAddress !== null && text('WALLET_RPC_URL') === null) {
    problems.push(
      'WALLET_RPC_URL must be set when WALLET_ADDRESS is (a Polygon JSON-RPC URL, e.g. https://polygon-rpc.com)',
    );
  }
  const usdcContract = text('WALLET_USDC_CONTRACT') ?? '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174';
  if (!/^0x[0-9a-fA-F]{40}$/.test(usdcContract)) {
    problems.push(
      `WALLET_USDC_CONTRACT must be a contract address: 0x followed by 40 hex digits (got "${usdcContract}")`,
    );
  }
  const lowBalance = text('WALLET_LOW_BALANCE');
  if (lowBalance !== null && !/^\d+(\.\d+)?$/.test(lowBalance)) {
    problems.push(`WALLET_LOW_BALANCE must be an amount in USDC such as 50 or 12.5 (got "${lowBalance}")`);
  }

  const resilience = readResilience(text, integer, problems);
  const metrics = readMetrics(text, apiKey, problems, [env['ADMIN_API_KEY'], env['BOT_API_KEY']]);
  const settings: Settings = {
    port,
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(text('DATA_DIR') ?? '.data'),
    adminApiKey: apiKey('ADMIN_API_KEY'),
    botApiKey: apiKey('BOT_API_KEY'),
    corsOrigins,
    logLevel: logLevel as LogLevel,
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 120_000, 1, 100_000_000),
    publicUrl,
    runStaleAfterSeconds: integer('RUN_STALE_AFTER', 300, 10, 7 * 24 * 3600),
    adminDistDir: text('ADMIN_DIST_DIR'),
    runStaleCheckSeconds: integer('RUN_STALE_CHECK_SECONDS', 30, 1, 3600),
    smtpUrl: optionalUrl('SMTP_URL', ['smtp', 'smtps']),
    notifyEmailFrom: emailFrom,
    notifyEmailTo: emailTo,
    webhookUrl: optionalUrl('WEBHOOK_URL', ['http', 'https']),
    webhookFormat: webhookFormat as WebhookFormat,
    telegramApiUrl,
    telegramBotToken:
      telegramBotToken !== null && TELEGRAM_TOKEN_PATTERN.test(telegramBotToken) ? telegramBotToken : null,
    telegramChatId,
    notifyMaxAttempts: integer('NOTIFY_MAX_ATTEMPTS', 8, 1, 50),
    notifyRetryBaseSeconds: integer('NOTIFY_RETRY_BASE_SECONDS', 10, 1, 3600),
    analysisMaxAttempts: integer('ANALYSIS_MAX_ATTEMPTS', 5, 1, 50),
    analysisRetryBaseSeconds: integer('ANALYSIS_RETRY_BASE_SECONDS', 5, 1, 3600),
    outboxPollMs: integer('OUTBOX_POLL_MS', 500, 50, 60_000),
    outboxRetentionDays: integer('OUTBOX_RETENTION_DAYS', 7, 1, 3650),
    outboxLeaseSeconds: integer('OUTBOX_LEASE_SECONDS', 120, 1, 3600),
    walletAddress,
    walletRpcUrl,
    walletUsdcContract: usdcContract,
    walletPollSeconds: integer('WALLET_POLL_SECONDS', 300, 1, 86_400),
    walletAlertCooldownMinutes: integer('WALLET_ALERT_COOLDOWN_MINUTES', 15, 0, 10_080),
    walletLowBalance: lowBalance,
    metricRetentionDays: integer('METRIC_RETENTION_DAYS', 0, 0, 36_500),
    maintenanceIntervalSeconds: integer('MAINTENANCE_INTERVAL_SECONDS', 3600, 1, 86_400),
    pnlFoldSeconds: integer('PNL_FOLD_SECONDS', 2, 1, 3600),
    resilience,
    metrics,
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

function readResilience(
  text: (name: string) => string | null,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): ResilienceSettings {
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000);
  const headersTimeoutMs = integer('HEADERS_TIMEOUT_MS', Math.min(10_000, requestTimeoutMs), 500, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1000, 3_600_000),
    listenBacklog: integer('LISTEN_BACKLOG', 4096, 1, 65_535),
    trustProxy: readTrustProxy(text('TRUST_PROXY'), problems),
    authFailuresPerMinute: integer('AUTH_FAILURES_PER_MINUTE', 30, 1, 1_000_000),
    apiKeyCacheSize: integer('API_KEY_CACHE_SIZE', 10_000, 10, 1_000_000),
    apiKeyCacheSeconds: integer('API_KEY_CACHE_SECONDS', 5, 1, 3600),
    liveClientBufferBytes: integer('LIVE_CLIENT_BUFFER_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
    liveReplayEvents: integer('LIVE_REPLAY_EVENTS', 1000, 0, 100_000),
    dbConnectTimeoutMs: integer('DB_CONNECT_TIMEOUT_MS', 3000, 100, 600_000),
    dbAcquireTimeoutMs: integer('DB_ACQUIRE_TIMEOUT_MS', 5000, 100, 600_000),
    overload: {
      maxInFlightWrites: integer('OVERLOAD_MAX_IN_FLIGHT', 512, 0, 100_000),
      maxEventLoopLagMs: integer('OVERLOAD_MAX_LAG_MS', 1000, 0, 60_000),
      targetEventLoopLagMs: integer('OVERLOAD_TARGET_LAG_MS', 50, 0, 60_000),
      maxPoolWaiting: integer('OVERLOAD_MAX_POOL_WAITING', 64, 0, 100_000),
      retryAfterSeconds: integer('OVERLOAD_RETRY_AFTER_SECONDS', 1, 1, 3600),
    },
  };
}

/**
 * METRICS_KEY turns GET /metrics on (METRICS_ENABLED=false turns it off again); METRICS_ENABLED=true
 * without a key is refused, so the endpoint is never open to anyone. The key must differ from the
 * API keys given in the environment: a scraper's secret must not also reach the bot or admin API.
 */
function readMetrics(
  text: (name: string) => string | null,
  apiKey: (name: string) => string | null,
  problems: string[],
  apiKeyValues: (string | undefined)[],
): MetricsSettings {
  const key = apiKey('METRICS_KEY');
  const flag = text('METRICS_ENABLED');
  let enabled = key !== null;
  if (flag !== null) {
    if (/^(true|yes|on|1)$/i.test(flag)) enabled = true;
    else if (/^(false|no|off|0)$/i.test(flag)) enabled = false;
    else problems.push(`METRICS_ENABLED must be true or false (got "${flag}")`);
  }
  if (enabled && key === null && text('METRICS_KEY') === null) {
    problems.push(
      'METRICS_ENABLED=true needs METRICS_KEY (16 to 256 characters): GET /metrics is never open without a key',
    );
  }
  if (key !== null && apiKeyValues.some((value) => value !== undefined && value.trim() === key)) {
    problems.push(
      'METRICS_KEY must differ from ADMIN_API_KEY and BOT_API_KEY: the metrics key is a secret of its own',
    );
  }
  return { enabled: enabled && key !== null, key };
}

/** TRUST_PROXY: off by default, so X-Forwarded-For cannot choose the address failed logins are counted against. */
function readTrustProxy(value: string | null, problems: string[]): boolean | number | string[] {
  if (value === null || /^(false|no|off|0)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 100) problems.push(`TRUST_PROXY as a hop count must be from 1 to 100 (got "${value}")`);
    return hops;
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > bits))
    ) {
      problems.push(
        `TRUST_PROXY must be false, true, a hop count, or proxy addresses/CIDRs like 10.0.0.1,192.168.0.0/16 (got "${entry}")`,
      );
    }
  }
  return entries;
}

export const SETTINGS = Symbol('SETTINGS');

/** A URL with its password replaced, for logs, errors and the admin API. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
