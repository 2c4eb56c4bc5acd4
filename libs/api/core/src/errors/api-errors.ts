import { HttpException, HttpStatus } from '@nestjs/common';

/** One problem with one field of a request, as shown to the person reading the error. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The JSON body of every error this API returns. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: FieldProblem[];
  requestId?: string;
}

function body(status: HttpStatus, message: string, details?: FieldProblem[]) {
  return details && details.length > 0
    ? { statusCode: status, message, details }
    : { statusCode: status, message };
}

export class BadInputError extends HttpException {
  constructor(message: string, details?: FieldProblem[]) {
    super(body(HttpStatus.BAD_REQUEST, message, details), HttpStatus.BAD_REQUEST);
  }
}

export class NotFoundError extends HttpException {
  constructor(message: string) {
    super(body(HttpStatus.NOT_FOUND, message), HttpStatus.NOT_FOUND);
  }
}

export class ConflictError extends HttpException {
  constructor(message: string) {
    super(body(HttpStatus.CONFLICT, message), HttpStatus.CONFLICT);
  }
}

export class UnprocessableError extends HttpException {
  constructor(message: string, details?: FieldProblem[]) {
    super(body(HttpStatus.UNPROCESSABLE_ENTITY, message, details), HttpStatus.UNPROCESSABLE_ENTITY);
  }
}
