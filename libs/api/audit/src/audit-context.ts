import type { Principal } from '@polymaker/api/core';
import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting in the current request: the authenticated key and the request id. */
export interface AuditActor {
  readonly principal: Principal | null;
  readonly requestId: string | null;
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

/** What the audit scope needs of a Fastify request: its method, URL, id and (once authenticated) key. */
interface ScopedRequest {
  method: string;
  url: string;
  id?: string;
  principal?: Principal;
}

/**
 * Fastify preHandler hook (registered once at start-up, before any route): runs the rest of each
 * admin-API change (guards, handler, the services it calls) in async-local storage carrying the
 * request's key and id, so a service records who made a change without every signature carrying
 * the caller. The key is read when the audit entry is written, after the guards have set it. Reads
 * and the bot API skip it: entering async-local storage costs on every promise of the request. A
 * hook rather than a global Nest interceptor because Nest wraps every route of every global
 * interceptor in AsyncResource.bind, about a tenth of the CPU of a GET /api/bot/config (profiled).
 */
export function auditScopeHook(request: ScopedRequest, _reply: unknown, done: () => void): void {
  if (request.method === 'GET' || request.method === 'HEAD' || request.url.startsWith('/api/bot/'))
    return done();
  const actor: AuditActor = {
    get principal() {
      return request.principal ?? null;
    },
    requestId: request.id ?? null,
  };
  storage.run(actor, done);
}
