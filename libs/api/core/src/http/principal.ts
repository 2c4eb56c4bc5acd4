import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type ApiKeyScope = 'bot' | 'admin';

/** Who is calling: the API key that authenticated the request. */
export interface Principal {
  apiKeyId: number;
  /**
   * The bot this key speaks for: the id of the first key of its rotation chain (a rotated key keeps
   * its bot). Runs, trades and reported markets belong to a bot, not to one key.
   */
  botId: number;
  name: string;
  scope: ApiKeyScope;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}

export const REQUIRED_SCOPE = 'polymaker:required-scope';
export const PUBLIC_ROUTE = 'polymaker:public-route';

/** Routes open to any valid key of this scope; admin keys pass every scope check. */
export const RequiresScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** Routes that need no key at all (health, readiness, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});
