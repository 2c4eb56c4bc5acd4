import { HttpErrorResponse } from '@angular/common/http';

/** The API's error body: {statusCode, error, message, details?, requestId}. */
export interface ApiErrorBody {
  statusCode: number;
  error?: string;
  message: string | string[];
  details?: Array<{ field: string; message: string }>;
  requestId?: string;
}

export interface ApiProblem {
  status: number;
  message: string;
  details: Array<{ field: string; message: string }>;
  requestId: string | null;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && 'message' in value;
}

/** Turns whatever a call threw into what the person should read. */
export function toApiProblem(error: unknown): ApiProblem {
  if (error instanceof HttpErrorResponse) {
    let body: unknown = error.error;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON
      }
    }
    if (isErrorBody(body)) {
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
      return {
        status: error.status,
        message,
        details: body.details ?? [],
        requestId: body.requestId ?? null,
      };
    }
    if (error.status === 0) {
      return {
        status: 0,
        message: 'The server cannot be reached. Check that the Command Center is running.',
        details: [],
        requestId: null,
      };
    }
    return {
      status: error.status,
      message: `The server answered ${error.status} ${error.statusText || ''}`.trim(),
      details: [],
      requestId: null,
    };
  }
  if (error instanceof Error) return { status: -1, message: error.message, details: [], requestId: null };
  return { status: -1, message: String(error), details: [], requestId: null };
}

export function apiErrorMessage(error: unknown): string {
  return toApiProblem(error).message;
}
