import {
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { BadInputError } from '@polymaker/api/core';
import { Observable } from 'rxjs';
import { deepCopyOwn } from './schema/own-keys';

const SENT_VALUES = Symbol('config values as sent');

interface RequestWithSentValues {
  body?: unknown;
  [SENT_VALUES]?: unknown;
}

/**
 * Keeps `values` of a config request exactly as sent. Interceptors run before pipes, and the
 * global ValidationPipe strips keys named `constructor` and `prototype` from bodies; config keys
 * are free names (unknown keys are kept for newer bots), so the handler reads this copy instead.
 */
@Injectable()
export class KeepSentConfigValues implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestWithSentValues>();
    const body = request.body;
    if (typeof body === 'object' && body !== null && Object.hasOwn(body, 'values')) {
      try {
        request[SENT_VALUES] = deepCopyOwn((body as Record<string, unknown>)['values']);
      } catch (error) {
        throw new BadInputError(`values is ${(error as Error).message}.`, [
          { field: 'values', message: (error as Error).message },
        ]);
      }
    }
    return next.handle();
  }
}

/** The `values` copied by KeepSentConfigValues (the DTO has already checked it is an object). */
export const SentConfigValues = createParamDecorator(
  (_: unknown, context: ExecutionContext): Record<string, unknown> => {
    const request = context.switchToHttp().getRequest<RequestWithSentValues>();
    return request[SENT_VALUES] as Record<string, unknown>;
  },
);
