/** A small JSON client for tests: what the bots and the admin app send, over real HTTP. */
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function request<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers['X-Api-Key'] = options.key;
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/**
 * Sends a large body the way curl does (`Expect: 100-continue`): the body goes only once the server
 * agrees, so a refusal (413 for a body over the limit) arrives as a normal response.
 */
export function postLargeBody(
  base: string,
  path: string,
  key: string,
  payload: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const http = require('node:http') as typeof import('node:http');
  return new Promise((done, fail) => {
    const req = http.request(new URL(path, base), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload),
        'X-Api-Key': key,
        Expect: '100-continue',
      },
    });
    req.on('continue', () => req.end(payload));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        done({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        req.destroy();
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.flushHeaders();
  });
}
