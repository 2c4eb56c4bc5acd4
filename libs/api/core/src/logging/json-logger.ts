import type { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import type { LogLevel } from '../settings/settings';

/** Never let a secret reach a log line, whatever shape the object logged has. */
const REDACT = [
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.secret',
  '*.password',
  'apiKey',
  'secret',
  'password',
];

/**
 * The process's logger: JSON lines on stdout, written asynchronously (a request does not wait for a
 * blocking write of its access-log line; lines written meanwhile go out together) and flushed
 * synchronously when the process exits, so the last lines before an exit are never lost.
 */
export function createRootLogger(level: LogLevel): Pino {
  const destination = pino.destination({ dest: 1, sync: false });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout closed: nothing more can be written
    }
  });
  return pino(
    {
      level,
      base: { service: 'polymaker-command-center' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Nest's logger interface over pino: one JSON object a line, with the Nest context as `context`.
 * `requestId` names the request being handled when the caller already keeps it in async-local
 * storage (the audit scope of admin writes): such lines get its `reqId`. It is asked only when a
 * line is written, so nothing is added to a request that logs nothing.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly pino: Pino,
    private readonly requestId: () => string | null = () => null,
  ) {}

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace',
    message: unknown,
    params: unknown[],
  ): void {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const reqId = this.requestId();
    const scope = reqId === null ? { context } : { context, reqId };
    if (typeof message === 'object' && message !== null) {
      const text = typeof params[0] === 'string' ? (params.shift() as string) : undefined;
      this.pino[level]({ ...scope, ...(message as object) }, text);
      return;
    }
    const stack = level === 'error' && typeof params[0] === 'string' ? params[0] : undefined;
    this.pino[level]({ ...scope, ...(stack ? { stack } : {}) }, String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    // Nest's start-up chatter (one line per module and route) is debug, not info.
    const context = params[params.length - 1];
    const chatter = typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
    this.write(chatter ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
}
