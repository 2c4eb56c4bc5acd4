import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody, FieldProblem } from './api-errors';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-unavailable';

/**
 * Turns every error into the same JSON shape: `{ statusCode, error, message, details?, requestId }`.
 * Unexpected errors are logged with the request id and answered with a message that hides internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const errorBody = toErrorBody(exception, request.id);
    const sqlState = dataExceptionCode(exception);
    if (errorBody.statusCode === HttpStatus.SERVICE_UNAVAILABLE && isDatabaseUnavailable(exception)) {
      // details in the log only; the caller gets a 503 to retry
      const cause = describe(exception).message; // the driver puts the statement first and the cause last
      this.logger.warn(
        {
          reqId: request.id,
          method: request.method,
          url: request.url.split('?')[0],
          err: cause.length > 300 ? `…${cause.slice(-300)}` : cause,
        },
        'database unavailable',
      );
      void reply.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    } else if (sqlState) {
      this.logger.warn(
        { reqId: request.id, method: request.method, url: request.url, sqlState },
        'value refused by the database',
      );
    } else if (errorBody.statusCode >= 500) {
      this.logger.error(
        { reqId: request.id, method: request.method, url: request.url, err: describe(exception) },
        'request failed',
      );
    }
    if (errorBody.statusCode === HttpStatus.TOO_MANY_REQUESTS && exception instanceof HttpException) {
      const retryAfter = (exception.getResponse() as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter) void reply.header('Retry-After', String(retryAfter));
    }
    void reply
      .status(errorBody.statusCode)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody);
  }
}

export function toErrorBody(exception: unknown, requestId?: string): ErrorBody {
  let statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
  let message = 'Internal server error: the failure was logged with this request id.';
  let details: FieldProblem[] | undefined;
  if (exception instanceof HttpException) {
    statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') {
      message = response;
    } else {
      const payload = response as { message?: string | string[]; details?: FieldProblem[] };
      if (Array.isArray(payload.message)) {
        // class-validator messages from the ValidationPipe
        details = payload.message.map((text) => ({ field: text.split(' ')[0] ?? '', message: text }));
        message = `Invalid request: ${payload.message.join('; ')}`;
      } else if (payload.message) {
        message = payload.message;
      }
      details = payload.details ?? details;
    }
  } else if (isDatabaseUnavailable(exception)) {
    statusCode = HttpStatus.SERVICE_UNAVAILABLE;
    message = `The database is unreachable right now, so the request was not completed. Retry in ${DATABASE_RETRY_AFTER_SECONDS} s (Retry-After).`;
  } else if (dataExceptionCode(exception)) {
    statusCode = HttpStatus.BAD_REQUEST;
    message =
      'A value in this request cannot be stored (out of range, too precise, or not valid text or time): check the numbers, texts and times sent against the API limits.';
  } else if (isFastifyError(exception)) {
    statusCode = exception.statusCode;
    message = fastifyMessage(exception);
  }
  if (statusCode === HttpStatus.PAYLOAD_TOO_LARGE)
    message = fastifyMessage({ statusCode, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message });
  if (statusCode === HttpStatus.UNSUPPORTED_MEDIA_TYPE)
    message = fastifyMessage({ statusCode, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', message });
  const result: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (details && details.length > 0) result.details = details;
  if (requestId) result.requestId = requestId;
  return result;
}

/**
 * The SQLSTATE of a PostgreSQL data exception (class 22: numeric overflow, invalid text or time, ...)
 * that slipped past input validation, or null: the request's value is at fault, not the server.
 */
export function dataExceptionCode(exception: unknown): string | null {
  const code = (exception as { code?: unknown } | null)?.code;
  return exception instanceof Error && typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) ? code : null;
}

interface FastifyError {
  statusCode: number;
  code?: string;
  message: string;
}

function isFastifyError(error: unknown): error is FastifyError {
  const candidate = error as Partial<FastifyError> | null;
  return (
    typeof candidate?.statusCode === 'number' &&
    candidate.statusCode >= 400 &&
    candidate.statusCode < 500 &&
    typeof candidate.message === 'string'
  );
}

function fastifyMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large. Send fewer items per request (split a trade batch) or raise BODY_LIMIT_BYTES on the server.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type: send JSON with "Content-Type: application/json".';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request says it is JSON but the body is empty: send a JSON object.';
    default:
      if (error.statusCode === 400 && /JSON/i.test(error.message)) {
        return `The body is not valid JSON: ${error.message}`;
      }
      return error.message;
  }
}

function describe(exception: unknown): { message: string; stack?: string } {
  return exception instanceof Error
    ? { message: exception.message, stack: exception.stack }
    : { message: String(exception) };
}
