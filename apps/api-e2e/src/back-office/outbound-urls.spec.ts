import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * Admin-set outbound URLs (webhook, wallet JSON-RPC) never reach link-local or metadata addresses:
 * refused when set and again at send time; redirects are not followed; a test delivery reports the
 * status and size of the answer, never its text. Every server here is on loopback.
 */
interface Receiver {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

async function receiver(
  answer: (path: string) => { status: number; body: string; headers?: Record<string, string> },
): Promise<Receiver> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url ?? '');
      const { status, body, headers } = answer(req.url ?? '');
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const REFUSED = [
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:169.254.169.254]/latest/meta-data/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://2852039166/',
  'http://169.254.10.20:8080/hook',
  'http://[fe80::1]/',
  'http://[fd00:ec2::254]/',
  'http://0.0.0.0:9/',
  'http://[::]:9/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
];

describe('outbound URLs: webhook and wallet RPC', () => {
  let t: TestApi;
  let target: Receiver;
  let redirector: Receiver;
  let chatty: Receiver;

  beforeAll(async () => {
    target = await receiver(() => ({ status: 200, body: 'target reached' }));
    redirector = await receiver(() => ({
      status: 302,
      body: 'moved',
      headers: { location: `${target.url}/final` },
    }));
    chatty = await receiver((path) =>
      path === '/fail'
        ? { status: 500, body: 'INTERNAL-ERROR-DETAILS-do-not-echo' }
        : { status: 200, body: 'PRIVATE-REPLY-BODY-do-not-echo' },
    );
    // Set from the environment, the URL is not checked at set time: the send-time check must hold.
    t = await startTestApi('outbound', { WEBHOOK_URL: 'http://[::ffff:169.254.169.254]/latest/meta-data/' });
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([target, redirector, chatty].map((r) => r?.close()));
  });

  it('refuses a link-local or metadata address from the environment at send time, without connecting', async () => {
    const test = await t.admin('POST', '/api/v1/notification-channels/webhook/test');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, channel: 'webhook' });
    expect(test.body['error']).toMatch(/169\.254\.169\.254|a9fe:a9fe/);
    expect(test.body['error']).toMatch(/refused/);
  });

  it.each(REFUSED)(
    'refuses the webhook url %s when it is set (400 naming url), changing nothing',
    async (url) => {
      const before = (await t.admin('GET', '/api/v1/notification-channels')).body;
      const response = await t.admin('PUT', '/api/v1/notification-channels/webhook', { url });
      expect(response.status).toBe(400);
      expect(response.body['details']).toEqual([expect.objectContaining({ field: 'url' })]);
      expect(response.body['message']).toMatch(/refused|must be an http/);
      expect((await t.admin('GET', '/api/v1/notification-channels')).body).toEqual(before);
    },
  );

  it.each(REFUSED)(
    'refuses the wallet rpcUrl %s when it is set (400 naming rpcUrl), changing nothing',
    async (rpcUrl) => {
      const before = (await t.admin('GET', '/api/v1/wallet')).body;
      const response = await t.admin('PUT', '/api/v1/wallet/settings', {
        rpcUrl,
        watchAddress: '0x00000000000000000000000000000000000000a1',
      });
      expect(response.status).toBe(400);
      expect(response.body['details']).toEqual([expect.objectContaining({ field: 'rpcUrl' })]);
      const after = (await t.admin('GET', '/api/v1/wallet')).body;
      expect(after['settings'] ?? after).toEqual(before['settings'] ?? before);
    },
  );

  it('keeps loopback receivers allowed (self-hosted receivers and these tests use them)', async () => {
    expect(
      (
        await t.admin('PUT', '/api/v1/notification-channels/webhook', {
          url: `${chatty.url}/ok`,
          format: 'generic',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.admin('PUT', '/api/v1/notification-channels/webhook', {
          url: `${chatty.url.replace('127.0.0.1', 'localhost')}/ok`,
        })
      ).status,
    ).toBe(200);
  });

  it('reports a test delivery by status and size, never the reply body', async () => {
    await t.admin('PUT', '/api/v1/notification-channels/webhook', { url: `${chatty.url}/ok` });
    const ok = await t.admin<Json>('POST', '/api/v1/notification-channels/webhook/test');
    expect(ok.body).toMatchObject({
      ok: true,
      detail: { status: 200, bytes: 'PRIVATE-REPLY-BODY-do-not-echo'.length },
    });
    expect(ok.text).not.toContain('PRIVATE-REPLY-BODY');

    await t.admin('PUT', '/api/v1/notification-channels/webhook', { url: `${chatty.url}/fail` });
    const failed = await t.admin<Json>('POST', '/api/v1/notification-channels/webhook/test');
    expect(failed.body).toMatchObject({ ok: false });
    expect(failed.body['error']).toMatch(/answered 500 \(\d+ bytes\)/);
    expect(failed.text).not.toContain('INTERNAL-ERROR-DETAILS');
  });

  it('does not follow a redirect: a 3xx is a failed delivery saying so', async () => {
    await t.admin('PUT', '/api/v1/notification-channels/webhook', { url: `${redirector.url}/hook` });
    const test = await t.admin<Json>('POST', '/api/v1/notification-channels/webhook/test');
    expect(test.body).toMatchObject({ ok: false });
    expect(test.body['error']).toMatch(/302.*redirects are not followed/);
    expect(redirector.hits).toEqual(['/hook']);
    expect(target.hits).toEqual([]);
  });
});
