import { ApiProcess, startApiProcess } from '@polymaker/testing';
import { request, JsonResponse } from '@polymaker/testing';
import { createDatabase } from '@polymaker/testing';

export type Json = Record<string, unknown>;

/** A real API process on its own fresh database, with helpers that speak as the bot or the admin. */
export interface TestApi {
  api: ApiProcess;
  databaseUrl: string;
  bot<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
  admin<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
  raw<T = Json>(
    method: string,
    path: string,
    options?: Parameters<typeof request>[3],
  ): Promise<JsonResponse<T>>;
  stop(): Promise<void>;
}

export async function startTestApi(
  prefix: string,
  env?: Record<string, string>,
  database: { timeZone?: string } = {},
): Promise<TestApi> {
  const server = process.env['PM_TEST_PG_URL'];
  if (!server) throw new Error('PM_TEST_PG_URL is not set: run through the api-e2e jest config');
  const databaseUrl = await createDatabase(server, prefix, database);
  const api = await startApiProcess({ databaseUrl, env });
  const as =
    (key: string) =>
    <T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>(api.url, method, path, { key, body, headers });
  return {
    api,
    databaseUrl,
    bot: as(api.botKey),
    admin: as(api.adminKey),
    raw: (method, path, options) => request(api.url, method, path, options),
    stop: async () => {
      await api.stop('SIGTERM');
    },
  };
}
