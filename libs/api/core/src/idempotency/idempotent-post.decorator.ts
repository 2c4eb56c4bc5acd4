import { applyDecorators, Post, SetMetadata, UseInterceptors } from '@nestjs/common';
import {
  IDEMPOTENCY_PLAIN_SQL,
  IDEMPOTENCY_STORED_RESPONSE,
  IdempotencyInterceptor,
} from './idempotency.interceptor';

export interface IdempotentPostOptions {
  /**
   * What is stored (and replayed) in place of the response, for a response that holds a secret:
   * the first answer is sent as is, the stored record and every replay get this instead.
   */
  storedResponse?: (response: unknown) => unknown;
  /**
   * The handler writes through `uow.sql()` only (no ORM entities): the key's lookup and record then
   * share a plain SQL transaction with it instead of an ORM one.
   */
  plainSql?: boolean;
}

/**
 * `@Post()` with `Idempotency-Key` handling. Every POST route uses this instead of Nest's `@Post()`
 * (a test enforces it): the interceptor wraps only the routes that can be retried, so the GET
 * routes bots poll every few seconds pay nothing for it.
 */
export const IdempotentPost = (path?: string, options: IdempotentPostOptions = {}) =>
  applyDecorators(
    Post(path),
    ...(options.storedResponse ? [SetMetadata(IDEMPOTENCY_STORED_RESPONSE, options.storedResponse)] : []),
    ...(options.plainSql ? [SetMetadata(IDEMPOTENCY_PLAIN_SQL, true)] : []),
    UseInterceptors(IdempotencyInterceptor),
  );
