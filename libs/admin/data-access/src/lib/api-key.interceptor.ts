import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { AdminSession } from './admin-session';
import { apiErrorMessage } from './api-error';

function sameOrigin(url: string): boolean {
  if (url.startsWith('/')) return !url.startsWith('//');
  try {
    return typeof location !== 'undefined' && new URL(url).origin === location.origin;
  } catch {
    return false;
  }
}

/**
 * Adds the admin key to every same-origin call and ends the session on 401 (wrong or revoked key),
 * back to sign-in with the server's message.
 */
export const apiKeyInterceptor: HttpInterceptorFn = (request, next) => {
  const session = inject(AdminSession);
  const router = inject(Router);
  const key = session.key();
  const outgoing =
    key && sameOrigin(request.url) && !request.headers.has('X-Api-Key')
      ? request.clone({ setHeaders: { 'X-Api-Key': key } })
      : request;
  return next(outgoing).pipe(
    catchError((error: unknown) => {
      if (
        error instanceof HttpErrorResponse &&
        error.status === 401 &&
        outgoing.headers.get('X-Api-Key') === session.key() &&
        session.key()
      ) {
        session.signOut(`Signed out: ${apiErrorMessage(error)}`);
        void router.navigate(['/sign-in']);
      }
      return throwError(() => error);
    }),
  );
};
