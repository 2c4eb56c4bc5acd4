import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable } from 'rxjs';
import { UnitOfWork } from '../database/unit-of-work';
import { BadInputError, ConflictError, UnprocessableError } from '../errors/api-errors';
import type { RequestWithPrincipal } from '../http/principal';
import { IdempotencyRecord } from './idempotency-record.entity';

/** Metadata key set by @IdempotentPost's `storedResponse` option (kept here so the two files do not import each other). */
export const IDEMPOTENCY_STORED_RESPONSE = 'polymaker:idempotency-stored-response';

export const IDEMPOTENCY_TTL_HOURS = 24;

/**
 * `Idempotency-Key` on any POST, with Stripe's semantics, scoped to the calling API key:
 * the same key with the same body replays the stored response; with another body it is a 422;
 * while the first request is still running a duplicate gets a 409. The handler's writes and the
 * stored response commit in one transaction, so a crash can never leave one without the other.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly uow: UnitOfWork) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & RequestWithPrincipal>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.principal) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > 255) {
      throw new BadInputError('Idempotency-Key must be 1 to 255 characters.');
    }
    const reply = http.getResponse<FastifyReply>();
    const apiKeyId = request.principal.apiKeyId;
    const path = request.routeOptions.url ?? request.url;
    const requestHash = hashRequest(request.method, path, request.body);
    // Nest sets the route's status after the handler; a replay gets the same route and status.
    const routeStatus =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? HttpStatus.CREATED;
    const storedResponse = Reflect.getMetadata(IDEMPOTENCY_STORED_RESPONSE, context.getHandler()) as
      | ((response: unknown) => unknown)
      | undefined;
    return from(
      this.uow.run(async (em) => {
        const [lock] = await em
          .execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked', [
            `${apiKeyId}:${key}`,
          ]);
        if (!lock.locked) {
          throw new ConflictError(
            'A request with this Idempotency-Key is still being processed. Retry after it finishes.',
          );
        }
        const stored = await em.findOne(IdempotencyRecord, { apiKeyId, key });
        const fresh = stored && stored.createdAt.getTime() > Date.now() - IDEMPOTENCY_TTL_HOURS * 3600_000;
        if (stored && fresh) {
          if (stored.requestHash !== requestHash) {
            throw new UnprocessableError(
              'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
            );
          }
          void reply.header('Idempotent-Replayed', 'true');
          return stored.responseBody;
        }
        const response = await lastValueFrom(next.handle(), { defaultValue: {} });
        const record = stored ?? em.create(IdempotencyRecord, { apiKeyId, key } as IdempotencyRecord);
        record.requestHash = requestHash;
        record.method = request.method;
        record.path = path;
        record.statusCode = routeStatus;
        // A response holding a secret (a new API key) is stored without it: secrets never rest here.
        record.responseBody = storedResponse ? storedResponse(response) : response;
        record.createdAt = new Date();
        await em.persist(record).flush();
        return response;
      }),
    );
  }
}

function hashRequest(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n`)
    .update(canonicalJson(body ?? null))
    .digest('hex');
}

/** JSON with object keys sorted, so the same body in another key order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
