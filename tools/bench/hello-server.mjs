// Baseline servers for the benchmark: `node hello-server.mjs fastify|express|http` listens on a free port,
// answers every request with {"hello":"world"} and prints the port on stdout.
import { createServer } from 'node:http';
import Fastify from 'fastify';

const kind = process.argv[2] ?? 'fastify';
if (kind === 'http') {
  const body = JSON.stringify({ hello: 'world' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
} else if (kind === 'express') {
  // The ceiling of Nest's other HTTP adapter: Nest on Express cannot answer faster than bare Express.
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.get('/*path', (_req, res) => res.json({ hello: 'world' }));
  const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
  server.keepAliveTimeout = 72_000;
} else {
  const app = Fastify({ logger: false });
  app.get('/*', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${app.server.address().port}\n`);
}
process.on('SIGTERM', () => process.exit(0));
