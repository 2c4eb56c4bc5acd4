import { existsSync, readFileSync } from 'node:fs';
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
  notifyMaxAttempts: number;
  notifyRetryBaseSeconds: number;
  /** The durable queue (outbox): how often each instance looks for due jobs, and how long done jobs are kept. */
  outboxPollMs: number;
  outboxRetentionDays: number;
  /** Wallet: optional watched public address read over a Polygon JSON-RPC URL, and the low-balance threshold. */
  walletAddress: string | null;
  walletRpcUrl: string | null;
  walletUsdcContract: string;
  walletPollSeconds: number;
  walletLowBalance: string | null;
  /** Retention: metric points older than this many days are deleted (0 keeps them forever). */
  metricRetentionDays: number;
  maintenanceIntervalSeconds: number;
}

export type WebhookFormat = 'generic' | 'discord' | 'slack';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['generic', 'discord', 'slack'];

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
      problems.push(`${name} must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')} (got "${redactUrl(value)}")`);
      return null;
    }
    return value;
  };
  const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+$/;
  const emailFrom = text('NOTIFY_EMAIL_FROM') ?? 'PolyMaker Command Center <polymaker@localhost>';
  if (!EMAIL.test(/<([^>]*)>/.exec(emailFrom)?.[1] ?? emailFrom)) {
    problems.push(`NOTIFY_EMAIL_FROM must be an address like bot@example.com or "Name <bot@example.com>" (got "${emailFrom}")`);
  }
  const emailTo = (text('NOTIFY_EMAIL_TO') ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  for (const address of emailTo) {
    if (!EMAIL.test(address)) problems.push(`NOTIFY_EMAIL_TO must be a comma-separated list of addresses (got "${address}")`);
  }
  const webhookFormat = (text('WEBHOOK_FORMAT') ?? 'generic').toLowerCase();
  if (!WEBHOOK_FORMATS.includes(webhookFormat as WebhookFormat)) {
    problems.push(`WEBHOOK_FORMAT must be one of ${WEBHOOK_FORMATS.join(', ')} (got "${webhookFormat}")`);
  }
  const walletAddress = text('WALLET_ADDRESS');
  if (walletAddress !== null && !/^0x[0-9a-fA-F]{40}$/.test(walletAddress)) {
    problems.push(`WALLET_ADDRESS must be a public address: 0x followed by 40 hex digits (got "${walletAddress}")`);
  }
  const walletRpcUrl = optionalUrl('WALLET_RPC_URL', ['http', 'https']);
  if (walletAddress !== null && text('WALLET_RPC_URL') === null) {
    problems.push('WALLET_RPC_URL must be set when WALLET_ADDRESS is (a Polygon JSON-RPC URL, e.g. https://polygon-rpc.com)');
  }
  const usdcContract = text('WALLET_USDC_CONTRACT') ?? '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174';
  if (!/^0x[0-9a-fA-F]{40}$/.test(usdcContract)) {
    problems.push(`WALLET_USDC_CONTRACT must be a contract address: 0x followed by 40 hex digits (got "${usdcContract}")`);
  }
  const lowBalance = text('WALLET_LOW_BALANCE');
  if (lowBalance !== null && !/^\d+(\.\d+)?$/.test(lowBalance)) {
    problems.push(`WALLET_LOW_BALANCE must be an amount in USDC such as 50 or 12.5 (got "${lowBalance}")`);
  }

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
    notifyMaxAttempts: integer('NOTIFY_MAX_ATTEMPTS', 8, 1, 50),
    notifyRetryBaseSeconds: integer('NOTIFY_RETRY_BASE_SECONDS', 10, 1, 3600),
    outboxPollMs: integer('OUTBOX_POLL_MS', 500, 50, 60_000),
    outboxRetentionDays: integer('OUTBOX_RETENTION_DAYS', 7, 1, 3650),
    walletAddress,
    walletRpcUrl,
    walletUsdcContract: usdcContract,
    walletPollSeconds: integer('WALLET_POLL_SECONDS', 300, 1, 86_400),
    walletLowBalance: lowBalance,
    metricRetentionDays: integer('METRIC_RETENTION_DAYS', 0, 0, 36_500),
    maintenanceIntervalSeconds: integer('MAINTENANCE_INTERVAL_SECONDS', 3600, 1, 86_400),
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
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
