import { PayloadTooLargeException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpExceptionFilter, JsonLogger, parseJsonBody, Settings, toErrorBody } from '@polymaker/api/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
    trustProxy: true,
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
    { logger: new JsonLogger(logger), bufferLogs: false, abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  refuseOversizedUploadsEarly(app.getHttpServer() as Server, settings.bodyLimitBytes);
  acceptOnlyBoundedJson(app, fastify, settings.bodyLimitBytes);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
  });
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
    const quiet = reply.statusCode < 400 && request.method === 'GET' && request.url.startsWith('/api/bot/config');
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
  app.setGlobalPrefix('api', { exclude: ['health', 'ready'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  return app;
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
