import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest, IncomingHttpHeaders, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { BadInputError } from '../errors/api-errors';

/**
 * Outbound HTTP to URLs an admin sets (the webhook, the wallet's JSON-RPC URL): never to addresses
 * that reach the host's own metadata or nowhere useful, checked when the URL is set and again at
 * every send on the address actually connected to (after DNS, so a name that later resolves
 * elsewhere, "DNS rebinding", is refused too). Redirects are never followed.
 *
 * Refused: link-local 169.254.0.0/16 (cloud metadata at 169.254.169.254) and fe80::/10, AWS's
 * IPv6 metadata fd00:ec2::254, Alibaba's 100.100.100.200, "this network" 0.0.0.0/8 and ::,
 * multicast 224.0.0.0/4 and ff00::/8, reserved 240.0.0.0/4 with broadcast 255.255.255.255, and the
 * same IPv4 ranges written as IPv6 (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d).
 * Allowed on purpose: loopback and private ranges (10/8, 172.16/12, 192.168/16, fc00::/7), where
 * self-hosted receivers and RPC nodes live next to the Command Center.
 */

interface Range {
  bytes: number[];
  prefix: number;
  why: string;
}

const V4: Range[] = [
  v4('169.254.0.0', 16, 'a link-local address (cloud metadata services answer at 169.254.169.254)'),
  v4('100.100.100.200', 32, 'a cloud metadata address'),
  v4('0.0.0.0', 8, 'an unspecified ("this network") address'),
  v4('224.0.0.0', 4, 'a multicast address'),
  v4('240.0.0.0', 4, 'a reserved or broadcast address'),
];

const V6: Range[] = [
  v6('fe80::', 10, 'a link-local address'),
  v6('fd00:ec2::254', 128, 'a cloud metadata address'),
  v6('::', 128, 'the unspecified address'),
  v6('ff00::', 8, 'a multicast address'),
];

function v4(address: string, prefix: number, why: string): Range {
  return { bytes: address.split('.').map(Number), prefix, why };
}

function v6(address: string, prefix: number, why: string): Range {
  const bytes = ipv6Bytes(address);
  if (!bytes) throw new Error(`bad range ${address}`);
  return { bytes, prefix, why };
}

function inRange(bytes: number[], range: Range): boolean {
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (range.bytes[i] & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (`::`, an IPv4 tail and brackets allowed), or null. */
export function ipv6Bytes(text: string): number[] | null {
  let address = text.replace(/^\[|\]$/g, '');
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  if (address.slice(lastColon + 1).includes('.')) {
    const v4part = address.slice(lastColon + 1);
    if (isIP(v4part) !== 4) return null;
    tail = v4part.split('.').map(Number);
    address = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const group = (part: string) => (part === '' ? [] : part.split(':'));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const value = parseInt(g, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Why an IP address is refused as an outbound target, or null when it is allowed. */
export function refusedAddressReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0];
  const family = isIP(bare);
  if (family === 4) {
    const bytes = bare.split('.').map(Number);
    return V4.find((range) => inRange(bytes, range))?.why ?? null;
  }
  if (family !== 6) return null;
  const bytes = ipv6Bytes(bare);
  if (!bytes) return 'not a valid IP address';
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  // IPv4 written as IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d).
  const mapped = zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
  const compatible = zeros(0, 12) && !zeros(12, 15);
  const nat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12);
  if (mapped || compatible || nat64) {
    const embedded = bytes.slice(12);
    return V4.find((range) => inRange(embedded, range))?.why ?? null;
  }
  return V6.find((range) => inRange(bytes, range))?.why ?? null;
}

/** The URL's host without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Why this URL is refused without any DNS (scheme, an IP literal in a refused range), or null. */
export function refusedUrlReason(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  const host = bareHost(url);
  if (isIP(host)) {
    const why = refusedAddressReason(host);
    if (why) return `points at ${host}, ${why}; such targets are refused`;
  }
  return null;
}

const SET_TIME_LOOKUP_MS = 3_000;

/**
 * For a URL being set: a 400 naming `field` when it is refused, by its literal form or by what its
 * name resolves to now. A name that does not resolve yet is accepted (it is checked at every send).
 */
export async function assertOutboundUrl(text: string, field: string): Promise<void> {
  const refuse = (why: string): never => {
    throw new BadInputError(`${field} ${why}.`, [{ field, message: `${field} ${why}` }]);
  };
  const literal = refusedUrlReason(text);
  if (literal) refuse(literal);
  const host = bareHost(new URL(text));
  if (isIP(host)) return;
  const addresses = await new Promise<LookupAddress[]>((done) => {
    const timer = setTimeout(() => done([]), SET_TIME_LOOKUP_MS);
    dnsLookup(host, { all: true }, (error, found) => {
      clearTimeout(timer);
      done(error ? [] : found);
    });
  });
  for (const { address } of addresses) {
    const why = refusedAddressReason(address);
    if (why) refuse(`names ${host}, which resolves to ${address}, ${why}; such targets are refused`);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A dns.lookup for sockets that fails when any address the name resolves to is refused. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const bad = addresses.find((a) => refusedAddressReason(a.address));
    if (bad) {
      const refusal: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${bad.address}, ${refusedAddressReason(bad.address)}; the connection was refused`,
      );
      refusal.code = 'EOUTBOUNDREFUSED';
      return callback(refusal, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first)
      return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, at most `maxBytes` of it. */
  body: Buffer;
  /** Bytes received (reading stops past `maxBytes`, see `truncated`). */
  bytes: number;
  truncated: boolean;
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

/**
 * One HTTP request to an admin-set URL: refused targets fail before connecting (IP literals) or
 * at the lookup (names), redirects are returned as they are (a 3xx status, never followed), the
 * answer is read up to `maxBytes` and the whole exchange is bounded by `timeoutMs`.
 */
export function outboundRequest(text: string, options: OutboundRequest): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const refused = refusedUrlReason(text);
    if (refused) {
      reject(new Error(`the URL ${refused}`));
      return;
    }
    const url = new URL(text);
    const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
    const requestOptions: RequestOptions = {
      method: options.method,
      hostname: bareHost(url),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { ...options.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      lookup: guardedLookup as RequestOptions['lookup'],
      agent: false,
      auth: url.username
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined,
    };
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      const done = () =>
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            bytes,
            truncated,
          }),
        );
      res.on('data', (chunk: Buffer) => {
        const before = bytes;
        bytes += chunk.length;
        if (bytes <= options.maxBytes) {
          chunks.push(chunk);
          return;
        }
        // Enough read: keep what fits, stop the transfer and answer with what we have.
        truncated = true;
        if (before < options.maxBytes) chunks.push(chunk.subarray(0, options.maxBytes - before));
        done();
        res.destroy();
      });
      res.on('end', done);
      res.on('error', (error) => settle(() => reject(error)));
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no complete answer within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
    req.on('error', (error) => settle(() => reject(error)));
    req.end(body);
  });
}
