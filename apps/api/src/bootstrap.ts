import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  RequestTimeoutException,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { auditScopeHook, currentActor } from '@polymaker/api/audit';
import { ApiMetrics } from '@polymaker/api/observability';
import {
  HttpExceptionFilter,
  JsonLogger,
  OverloadGuard,
  parseJsonBody,
  Settings,
  toErrorBody,
  UnitOfWork,
} from '@polymaker/api/core';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { SECURITY_HEADERS } from './security-headers';

export interface CreateAppOptions {
  settings: Settings;
  databaseUrl: string;
  version: string;
  logger: Pino;
  connect?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Builds the Nest application on Fastify with every cross-cutting concern; it does not listen yet. */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const { settings, logger } = options;
  const adapter = new FastifyAdapter({
    logger: false, // requests are logged by the onResponse hook below, one JSON line each
    bodyLimit: settings.bodyLimitBytes,
    ...httpTimeouts(settings, logger),
    genReqId: (request: IncomingMessage) => {
      const header = request.headers['x-request-id'];
      const given = Array.isArray(header) ? header[0] : header;
      return given && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      ...options,
      connect: options.connect ?? true,
      log: (message) => logger.info({ component: 'database' }, message),
    }),
    adapter,
    {
      logger: new JsonLogger(logger, () => currentActor()?.requestId ?? null),
      bufferLogs: false,
      abortOnError: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  refuseOversizedUploadsEarly(app.getHttpServer() as Server, settings.bodyLimitBytes);
  acceptOnlyBoundedJson(app, fastify, settings.bodyLimitBytes);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
  });
  const metrics = app.get(ApiMetrics);
  if (metrics.enabled) {
    // GET /metrics: one histogram observation per response, labelled by the route's template (never the raw URL).
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
      done();
    });
  }
  shedBotWritesPastCapacity(app, fastify, settings, logger, metrics);
  fastify.addHook('preHandler', auditScopeHook); // who made each admin change, for the audit log
  // While shutting down, in-flight requests finish and their sockets close instead of idling,
  // so closing does not wait for keep-alive timeouts.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const quiet =
      reply.statusCode < 400 && request.method === 'GET' && request.url.startsWith('/api/bot/config');
    const entry = {
      reqId: request.id,
      method: request.method,
      url: request.url.split('?')[0],
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (quiet) logger.debug(entry, 'request');
    else logger.info(entry, 'request');
  });

  if (settings.corsOrigins.length > 0) {
    app.enableCors({
      origin: settings.corsOrigins.includes('*') ? true : settings.corsOrigins,
      allowedHeaders: ['Content-Type', 'X-Api-Key', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After'],
    });
  }
  app.setGlobalPrefix('api', { exclude: ['health', 'ready', 'metrics'] });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  return app;
}

/**
 * Bot writes past capacity are answered 503 with Retry-After before their body is read (see
 * OverloadGuard); reads, the admin API and the live stream are not shed.
 */
function shedBotWritesPastCapacity(
  app: NestFastifyApplication,
  fastify: FastifyInstance,
  settings: Settings,
  logger: Pino,
  metrics: ApiMetrics,
): void {
  const uow = app.get(UnitOfWork);
  const guard = new OverloadGuard(settings.resilience.overload, { poolWaiting: () => uow.sqlPoolWaiting });
  metrics.watchOverload(guard);
  let lastShedLog = 0;
  fastify.addHook('onReady', async () => guard.start());
  fastify.addHook('onClose', async () => guard.close());
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || !request.url.startsWith('/api/bot/')) return;
    const admitted = guard.admit();
    if ('release' in admitted) {
      reply.raw.once('close', admitted.release); // the response is done or the client went away
      return;
    }
    const now = Date.now();
    if (now - lastShedLog > 5000) {
      lastShedLog = now;
      logger.warn(
        { reqId: request.id, reason: admitted.shed, shedSoFar: guard.shed },
        'at capacity: shedding bot writes with 503',
      );
    }
    const body = toErrorBody(guard.exception(), request.id);
    return reply
      .code(503)
      .header('Retry-After', String(settings.resilience.overload.retryAfterSeconds))
      .header('content-type', 'application/json; charset=utf-8')
      .send(body);
  });
}

/**
 * JSON is the only body type: bounded parsing (depth, number literals, NUL/surrogates; see
 * parseJsonBody); any other Content-Type with a body (form-encoded, text, ...) gets a 415.
 */
function acceptOnlyBoundedJson(
  app: NestFastifyApplication,
  fastify: { removeContentTypeParser(contentType: string): unknown },
  limit: number,
): void {
  fastify.removeContentTypeParser('text/plain');
  app.useBodyParser('application/json', { bodyLimit: limit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * Request, header and keep-alive timeouts (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS), and
 * TRUST_PROXY. A request whose headers or body do not arrive in time is answered 408 in the error body shape
 * and its connection closed. They bound receiving a request only: a long response (the live stream) is not cut.
 */
function httpTimeouts(settings: Settings, logger: Pino) {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs, trustProxy } = settings.resilience;
  return {
    trustProxy,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    // Node checks for expired requests on this interval: keep the 408 close to the timeout.
    http: {
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeoutMs / 2)),
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Duplex) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const exception = timedOut
        ? new RequestTimeoutException(
            `The request did not arrive in time: headers within ${headersTimeoutMs} ms and the whole body within ` +
              `${requestTimeoutMs} ms (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS). Send the body at once; the connection is closed.`,
          )
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? new HttpException('The request headers are too large.', 431)
          : new BadRequestException('Malformed HTTP request.');
      const body = JSON.stringify(toErrorBody(exception, randomUUID()));
      if (timedOut)
        logger.warn(
          { code: error.code },
          'request timed out before its body arrived: answered 408, connection closed',
        );
      if (!socket.writable) return void socket.destroy();
      socket.end(
        `HTTP/1.1 ${exception.getStatus()} ${STATUS_CODES[exception.getStatus()] ?? 'Error'}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 2000).unref(); // a peer that does not close its side is cut
    },
  };
}

/**
 * A client that asks `Expect: 100-continue` before a body over the limit gets the 413 at once,
 * instead of an invitation to upload and a connection cut halfway through.
 */
function refuseOversizedUploadsEarly(server: Server, limit: number): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > limit) {
      const body = toErrorBody(new PayloadTooLargeException(), randomUUID());
      response.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end(JSON.stringify(body));
      return;
    }
    response.writeContinue();
    server.emit('request', request, response);
  });
}
