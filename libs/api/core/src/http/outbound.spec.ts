import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedLookup, outboundRequest, refusedAddressReason, refusedUrlReason } from './outbound';

describe('refusedAddressReason', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    'fe80::1',
    'febf::1',
    'fd00:ec2::254',
    '::',
    'ff02::1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '::ffff:0.0.0.0',
  ])('refuses %s', (address) => {
    expect(refusedAddressReason(address)).not.toBeNull();
  });

  it.each([
    '127.0.0.1',
    '::1',
    '10.0.0.5',
    '172.16.0.1',
    '192.168.1.10',
    'fd12:3456::1',
    '8.8.8.8',
    '2001:db8::1',
    '::ffff:127.0.0.1',
  ])('allows %s (loopback and private ranges serve self-hosted receivers)', (address) => {
    expect(refusedAddressReason(address)).toBeNull();
  });
});

describe('refusedUrlReason', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://2852039166/',
    'http://0/',
    'http://[fe80::1]:8080/',
    'ftp://example.com/',
  ])('refuses %s before any lookup', (url) => {
    expect(refusedUrlReason(url)).not.toBeNull();
  });

  it('allows loopback and names', () => {
    expect(refusedUrlReason('http://127.0.0.1:9/')).toBeNull();
    expect(refusedUrlReason('https://hooks.slack.com/services/x')).toBeNull();
  });
});

describe('outboundRequest', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end('moved');
        return;
      }
      if (req.url === '/big') {
        res.writeHead(200).end(Buffer.alloc(5000, 'x'));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const options = { method: 'GET' as const, timeoutMs: 5000, maxBytes: 1000 };

  it('reads a loopback answer', async () => {
    const answer = await outboundRequest(`${base}/`, options);
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('hello');
  });

  it('does not follow a redirect', async () => {
    const answer = await outboundRequest(`${base}/redirect`, options);
    expect(answer.status).toBe(302);
  });

  it('stops reading past maxBytes', async () => {
    const answer = await outboundRequest(`${base}/big`, options);
    expect(answer.truncated).toBe(true);
    expect(answer.body.length).toBe(1000);
  });

  it('refuses a metadata literal without connecting', async () => {
    await expect(outboundRequest('http://[::ffff:169.254.169.254]/', options)).rejects.toThrow(/refused/);
  });

  it('resolves names through the guarded lookup (localhost is loopback: allowed)', async () => {
    const answer = await outboundRequest(base.replace('127.0.0.1', 'localhost') + '/', options);
    expect(answer.status).toBe(200);
  });
});

describe('guardedLookup', () => {
  // The system resolver turns the name "2852039166" into 169.254.169.254 (no DNS server needed):
  // a name whose address is only known after resolution, as with DNS rebinding.
  it.each(['2852039166', '0'])(
    'refuses %s, which resolves to a refused address',
    (name) =>
      new Promise<void>((done) => {
        guardedLookup(name, { all: true }, (error) => {
          expect(error?.code).toBe('EOUTBOUNDREFUSED');
          done();
        });
      }),
  );

  it('passes loopback through, in both callback forms', () =>
    new Promise<void>((done) => {
      guardedLookup('localhost', {}, (error, address) => {
        expect(error).toBeNull();
        expect(['127.0.0.1', '::1']).toContain(address);
        done();
      });
    }));
});
