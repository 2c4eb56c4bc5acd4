import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ApiKeyScope,
  PUBLIC_ROUTE,
  REQUIRED_SCOPE,
  RequestWithPrincipal,
  SETTINGS,
  Settings,
  scopeSatisfies,
} from '@polymaker/api/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from './api-keys.service';
import { AuthFailureLimiter, clientAddressKey } from './auth-failures';
import { RateLimiter } from './rate-limiter';

/**
 * The global guard: every route needs an `X-Api-Key` unless marked public. Bot routes accept bot
 * and admin keys; /api/v1 routes need the scope they declare (admin > operator > viewer; admin by default). Each key has its own request budget.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly limiter: RateLimiter;
  private readonly failures: AuthFailureLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(SETTINGS) settings: Settings,
  ) {
    this.limiter = new RateLimiter(settings.rateLimitPerMinute);
    this.failures = new AuthFailureLimiter(settings.resilience.authFailuresPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const required = this.reflector.getAllAndOverride<ApiKeyScope>(REQUIRED_SCOPE, targets) ?? 'admin';
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    const header = request.headers['x-api-key'];
    const presented = Array.isArray(header) ? header[0] : header;
    if (!presented) {
      throw new HttpException(
        {
          statusCode: 401,
          message: 'Missing X-Api-Key header. Send the API key created in the Command Center.',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    const address = clientAddressKey(request.ip);
    // A key verified as valid is never held up by its address's failures (a fleet behind one NAT keeps working).
    if (!this.keys.isKnownValid(presented)) this.refuseWhileGuessing(address);
    const principal = await this.keys.verify(presented);
    if (!principal) {
      this.failures.fail(address);
      throw new HttpException(
        {
          statusCode: 401,
          message:
            'Unknown, revoked or expired API key. Check POLYMAKER_API_KEY against the keys in Settings.',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    if (!scopeSatisfies(principal.scope, required)) {
      const needs =
        required === 'bot'
          ? 'a bot (or admin) key: /api/bot/* is for bots'
          : `scope "${required}" or higher (admin > operator > viewer)`;
      throw new HttpException(
        {
          statusCode: 403,
          message: `The key "${principal.name}" has scope "${principal.scope}"; this route needs ${needs}. Use a key with that scope.`,
          details: [
            { field: 'X-Api-Key', message: `scope "${principal.scope}" is not enough; needs "${required}"` },
          ],
        },
        HttpStatus.FORBIDDEN,
      );
    }
    const retryAfter = this.limiter.take(principal.apiKeyId);
    if (retryAfter > 0) {
      throw new HttpException(
        {
          statusCode: 429,
          message: `Too many requests for key "${principal.name}": slow down and retry in ${retryAfter} s (limit RATE_LIMIT_PER_MINUTE).`,
          retryAfterSeconds: retryAfter,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    request.principal = principal;
    return true;
  }

  /** Failed authentications are limited per client address (AUTH_FAILURES_PER_MINUTE) before any lookup. */
  private refuseWhileGuessing(address: string): void {
    const retryAfter = this.failures.retryAfter(address);
    if (retryAfter === 0) return;
    throw new HttpException(
      {
        statusCode: 429,
        message:
          `Too many failed authentications from this address: retry in ${retryAfter} s (limit AUTH_FAILURES_PER_MINUTE). ` +
          'Check that the bot sends a valid key (POLYMAKER_API_KEY).',
        retryAfterSeconds: retryAfter,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
