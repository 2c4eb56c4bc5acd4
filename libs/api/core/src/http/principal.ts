import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

/**
 * Key scopes. `bot` reaches only /api/bot/*. The admin API (/api/v1/*) is a hierarchy:
 * admin > operator > viewer (viewer reads, operator also runs operations, admin everything).
 */
export type ApiKeyScope = 'bot' | 'viewer' | 'operator' | 'admin';

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['bot', 'viewer', 'operator', 'admin'];

const ADMIN_RANK: Record<ApiKeyScope, number> = { bot: 0, viewer: 1, operator: 2, admin: 3 };

/**
 * Whether a key of scope `have` may call a route that requires `need`: bot routes take bot and
 * admin keys; admin-API routes take the needed scope or a higher one (never a bot key).
 */
export function scopeSatisfies(have: ApiKeyScope, need: ApiKeyScope): boolean {
  if (need === 'bot') return have === 'bot' || have === 'admin';
  return have !== 'bot' && ADMIN_RANK[have] >= ADMIN_RANK[need];
}

/** Who is calling: the API key that authenticated the request. */
export interface Principal {
  apiKeyId: number;
  name: string;
  scope: ApiKeyScope;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}

export const REQUIRED_SCOPE = 'polymaker:required-scope';
export const PUBLIC_ROUTE = 'polymaker:public-route';

/**
 * The scope a route needs (on a controller: the default of its routes; on a method: that route).
 * Without it a route needs admin. Admin keys pass every check; see `scopeSatisfies`.
 */
export const RequiresScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** Routes that need no key at all (health, readiness, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});
