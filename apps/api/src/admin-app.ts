import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const API_PATHS = /^\/(api|docs|docs-json|health|ready)(\/|$|\?)/;

/**
 * Serves the built admin app (apps/admin) at `/` from the same process and port as the API,
 * with index.html for every other GET that is not an API path (client-side routes).
 * Returns the directory served, or null when the app has not been built.
 */
export async function serveAdminApp(
  app: NestFastifyApplication,
  configured: string | null,
): Promise<string | null> {
  const root = resolve(configured ?? join(process.cwd(), 'dist/apps/admin/browser'));
  if (!existsSync(join(root, 'index.html'))) return null;
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    maxAge: '1h',
    setHeaders: (res, path) => {
      // Hashed bundles never change; index.html must always be revalidated.
      if (/\.[0-9a-z]{8,}\.(js|css)$/i.test(path))
        res.header('Cache-Control', 'public, max-age=31536000, immutable');
      if (path.endsWith('index.html')) res.header('Cache-Control', 'no-cache');
    },
  });
  fastify.get('/*', (request, reply) => {
    if (API_PATHS.test(request.url)) {
      return reply.status(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `Cannot GET ${request.url.split('?')[0]}`,
        requestId: request.id,
      });
    }
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
  return root;
}
