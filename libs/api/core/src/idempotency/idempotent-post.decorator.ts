import { applyDecorators, Post, UseInterceptors } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * `@Post()` with `Idempotency-Key` handling. Every POST route uses this instead of Nest's `@Post()`
 * (a test enforces it): the interceptor wraps only the routes that can be retried, so the GET
 * routes bots poll every few seconds pay nothing for it.
 */
export const IdempotentPost = (path?: string) => applyDecorators(Post(path), UseInterceptors(IdempotencyInterceptor));
