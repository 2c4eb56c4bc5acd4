import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Principal, RequestWithPrincipal } from '@polymaker/api/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';

/** Who is acting in the current request: the authenticated key and the request id. */
export interface AuditActor {
  principal: Principal | null;
  requestId: string | null;
}

const storage = new AsyncLocalStorage<AuditActor>();

/** The actor of the request being handled, or null outside a request (start-up, scheduled jobs). */
export function currentActor(): AuditActor | null {
  return storage.getStore() ?? null;
}

/** Runs `work` as `actor` (for tests and for work started on behalf of a request). */
export function runAs<T>(actor: AuditActor, work: () => T): T {
  return storage.run(actor, work);
}

/**
 * Global interceptor: runs each handler with its request's key and id in async-local storage, so
 * a service records who made a change without every signature carrying the caller. Guards run
 * before interceptors, so the principal is already set here. Only admin-API changes are audited, so
 * reads and the bot API skip it: entering async-local storage costs on every promise of the request.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithPrincipal & { id?: string; method?: string; url?: string }>();
    if (request.method === 'GET' || request.method === 'HEAD' || request.url?.startsWith('/api/bot/')) return next.handle();
    const actor: AuditActor = { principal: request.principal ?? null, requestId: request.id ?? null };
    return new Observable((subscriber) => {
      const subscription = storage.run(actor, () => next.handle().subscribe(subscriber));
      return () => subscription.unsubscribe();
    });
  }
}
