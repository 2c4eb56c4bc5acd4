import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable } from 'rxjs';
import { UnitOfWork } from '../database/unit-of-work';
import { BadInputError, ConflictError, UnprocessableError } from '../errors/api-errors';
import type { RequestWithPrincipal } from '../http/principal';

/** Metadata key set by @IdempotentPost's `storedResponse` option (kept here so the two files do not import each other). */
export const IDEMPOTENCY_STORED_RESPONSE = 'polymaker:idempotency-stored-response';

export const IDEMPOTENCY_TTL_HOURS = 24;

/** Metadata key set by @IdempotentPost's `plainSql` option: the route's writes use uow.sql() only. */
export const IDEMPOTENCY_PLAIN_SQL = 'polymaker:idempotency-plain-sql';

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
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      HttpStatus.CREATED;
    const storedResponse = Reflect.getMetadata(IDEMPOTENCY_STORED_RESPONSE, context.getHandler()) as
      ((response: unknown) => unknown) | undefined;
    const lean = Reflect.getMetadata(IDEMPOTENCY_PLAIN_SQL, context.getHandler()) === true;
    const work = () =>
      this.uow.sql(async (sql) => {
        // The lock and the lookup travel with BEGIN in one round trip; the lookup is its own statement
        // (a fresh snapshot taken after the lock), so it sees a record committed by the lock's last holder.
        const [[lock], stored] = (await sql.batch([
          {
            text: 'select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked',
            values: [`${apiKeyId}:${key}`],
          },
          {
            text: `select request_hash, response_body, created_at > now() - make_interval(hours => $3) as fresh
                     from idempotency_records where api_key_id = $1 and key = $2`,
            values: [apiKeyId, key, IDEMPOTENCY_TTL_HOURS],
          },
        ])) as [[{ locked: boolean }], StoredRecord[]];
        if (!lock.locked) {
          throw new ConflictError(
            'A request with this Idempotency-Key is still being processed. Retry after it finishes.',
          );
        }
        const record = stored[0];
        if (record?.fresh) {
          if (record.request_hash !== requestHash) {
            throw new UnprocessableError(
              'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
            );
          }
          void reply.header('Idempotent-Replayed', 'true');
          return record.response_body;
        }
        const response = await lastValueFrom(next.handle(), { defaultValue: {} });
        // A response holding a secret (a new API key) is stored without it: secrets never rest here.
        const body = storedResponse ? storedResponse(response) : response;
        await sql.query(
          `insert into idempotency_records (api_key_id, key, request_hash, method, path, status_code, response_body, created_at)
           values ($1, $2, $3, $4, $5, $6, $7::jsonb, now())
           on conflict (api_key_id, key) do update set request_hash = excluded.request_hash, method = excluded.method,
             path = excluded.path, status_code = excluded.status_code, response_body = excluded.response_body, created_at = now()`,
          [apiKeyId, key, requestHash, request.method, path, routeStatus, JSON.stringify(body ?? null)],
        );
        return response;
      });
    // A route on plain SQL (the bot's hot writes) gets a plain SQL transaction; any other joins the ORM's.
    return from(lean ? work() : this.uow.run(() => work()));
  }
}

interface StoredRecord {
  request_hash: string;
  response_body: unknown;
  fresh: boolean;
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
