import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { EnvironmentProviders, Provider } from '@angular/core';
import { provideApiConfiguration } from '@polymaker/shared/api-client';
import { apiKeyInterceptor } from './api-key.interceptor';

/** HTTP client, the API's root URL (same origin) and the key interceptor. */
export function provideAdminDataAccess(): Array<Provider | EnvironmentProviders> {
  return [provideHttpClient(withFetch(), withInterceptors([apiKeyInterceptor])), provideApiConfiguration('')];
}
