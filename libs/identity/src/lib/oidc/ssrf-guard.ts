import { lookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import type { CustomFetch, CustomFetchOptions, FetchBody } from 'openid-client';
import { TLS12_CIPHERS, TLS13_CIPHERSUITES } from '@veilig/platform-http';
import { OidcError } from './oidc-error.js';

/**
 * Every request the relying party makes server-side (discovery, JWKS, token endpoint) goes to a
 * URL that a tenant admin typed in or that the IdP's metadata named. Without this guard such a
 * URL is a way to make the server call its own internals or the cloud metadata service.
 */

export type BlockedAddressKind = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'cgnat' | 'multicast' | 'reserved';

/** Resolves a host name to its IP addresses; the default is the system resolver (getaddrinfo). */
export type HostResolver = (hostname: string) => Promise<readonly string[]>;

export interface OutboundRequestOptions {
  /** CA certificates (PEM) that replace the public root store: for a development IdP and tests. */
  readonly trustedCaPem?: string;
  readonly resolveHost?: HostResolver;
  /** Whole request, name resolution included. Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 512 KiB: a discovery document or JWKS is a few KiB, a token response with many groups tens. */
  readonly maxResponseBytes?: number;
}

export interface OutboundRequestPolicy extends OutboundRequestOptions {
  /** Development only: lets requests reach loopback and private addresses. https stays mandatory. */
  readonly allowPrivateNetwork: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** openid-client's `customFetch`: https only, pinned to a checked address, no redirects, bounded. */
export function createGuardedFetch(policy: OutboundRequestPolicy): CustomFetch {
  const timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (url, options) => {
    const target = URL.parse(url);
    if (target?.protocol !== 'https:') throw new OidcError('ssrf-refused', `refused a request that is not https: ${target?.protocol ?? 'unparseable URL'}`);
    if (target.username !== '' || target.password !== '') throw new OidcError('ssrf-refused', 'refused a URL with credentials in it');
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      const address = await pinAddress(target, policy, signal);
      return await send(target, address, options, policy, signal);
    } catch (error) {
      if (error instanceof OidcError) throw error;
      const cause = signal.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(error);
      throw new OidcError('idp-unreachable', `${target.host}: ${cause}`, { cause: error });
    }
  };
}

/**
 * The address is chosen once and connected to directly, so a second DNS answer cannot swap in
 * an internal address after the check (DNS rebinding). Every answer must pass, not just one.
 */
async function pinAddress(target: URL, policy: OutboundRequestPolicy, signal: AbortSignal): Promise<string> {
  const hostname = unbracket(target.hostname);
  const resolveHost = policy.resolveHost ?? resolveWithSystemResolver;
  const addresses = isIP(hostname) ? [hostname] : await Promise.race([resolveHost(hostname), rejectOnAbort(signal)]);
  const [first] = addresses;
  if (first === undefined) throw new OidcError('idp-unreachable', `${hostname} has no address`);
  if (!policy.allowPrivateNetwork) {
    for (const address of addresses) {
      const kind = classifyAddress(address);
      if (kind) throw new OidcError('ssrf-refused', `refused ${hostname}: ${address} is a ${kind} address`);
    }
  }
  return first;
}

function send(
  target: URL,
  address: string,
  options: CustomFetchOptions,
  policy: OutboundRequestPolicy,
  signal: AbortSignal,
): Promise<Response> {
  const maxBytes = policy.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const hostname = unbracket(target.hostname);
  const body = requestBody(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: address,
        port: target.port === '' ? 443 : Number(target.port),
        path: target.pathname + target.search,
        method: options.method,
        headers: {
          ...options.headers,
          host: target.host,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        },
        // SNI and the certificate check use the name; the connection uses the pinned address.
        servername: isIP(hostname) ? '' : hostname,
        ca: policy.trustedCaPem,
        // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in some environment cannot switch certificate checks off.
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        ciphers: [...TLS13_CIPHERSUITES, ...TLS12_CIPHERS].join(':'),
        agent: false,
        signal,
      },
      (incoming) => {
        const status = incoming.statusCode ?? 0;
        if (REDIRECT_STATUSES.has(status)) {
          incoming.destroy();
          reject(new OidcError('ssrf-refused', `${target.host} answered with a ${status} redirect; redirects are never followed`));
          return;
        }
        const tooLarge = () => new OidcError('response-too-large', `${target.host} answered with more than ${maxBytes} bytes`);
        if (Number(incoming.headers['content-length'] ?? 0) > maxBytes) {
          incoming.destroy();
          reject(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        incoming.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBytes) {
            incoming.destroy();
            reject(tooLarge());
          } else {
            chunks.push(chunk);
          }
        });
        incoming.on('end', () => {
          try {
            resolve(toResponse(incoming, Buffer.concat(chunks)));
          } catch (error) {
            reject(error);
          }
        });
        incoming.on('error', reject);
        incoming.on('close', () => {
          if (!incoming.complete) reject(new Error('connection closed before the response was complete'));
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function requestBody(body: FetchBody): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('streamed request bodies are not supported');
}

function toResponse(incoming: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of [value ?? []].flat()) headers.append(name, item);
  }
  const status = incoming.statusCode ?? 0;
  return new Response(NULL_BODY_STATUSES.has(status) ? null : new Uint8Array(body), { status, statusText: incoming.statusMessage, headers });
}

async function resolveWithSystemResolver(hostname: string): Promise<readonly string[]> {
  const entries = await lookup(hostname, { all: true, verbatim: true });
  return entries.map((entry) => entry.address);
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}

function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

interface AddressBlock {
  readonly network: bigint;
  readonly prefixLength: number;
  readonly kind: BlockedAddressKind;
}

const IPV4_BLOCKS: readonly AddressBlock[] = [
  block4('0.0.0.0/8', 'unspecified'),
  block4('10.0.0.0/8', 'private'),
  block4('100.64.0.0/10', 'cgnat'),
  block4('127.0.0.0/8', 'loopback'),
  // Includes 169.254.169.254, the cloud instance metadata service.
  block4('169.254.0.0/16', 'link-local'),
  block4('172.16.0.0/12', 'private'),
  block4('192.0.0.0/24', 'reserved'),
  block4('192.0.2.0/24', 'reserved'),
  block4('192.88.99.0/24', 'reserved'),
  block4('192.168.0.0/16', 'private'),
  block4('198.18.0.0/15', 'reserved'),
  block4('198.51.100.0/24', 'reserved'),
  block4('203.0.113.0/24', 'reserved'),
  block4('224.0.0.0/4', 'multicast'),
  block4('240.0.0.0/4', 'reserved'),
];

// First match wins: the specific blocks come before ::/8, which holds the deprecated IPv4-compatible form.
const IPV6_BLOCKS: readonly AddressBlock[] = [
  block6('::/128', 'unspecified'),
  block6('::1/128', 'loopback'),
  block6('64:ff9b:1::/48', 'private'),
  block6('::/8', 'reserved'),
  block6('100::/64', 'reserved'),
  block6('2001:db8::/32', 'reserved'),
  block6('fc00::/7', 'private'),
  block6('fe80::/10', 'link-local'),
  block6('fec0::/10', 'private'),
  block6('ff00::/8', 'multicast'),
];

/** IPv6 forms that carry an IPv4 address, which is what the packet finally reaches. */
const IPV4_CARRIERS: readonly { readonly block: AddressBlock; readonly ipv4Offset: number }[] = [
  { block: block6('::ffff:0:0/96', 'reserved'), ipv4Offset: 96 },
  { block: block6('64:ff9b::/96', 'reserved'), ipv4Offset: 96 },
  { block: block6('2002::/16', 'reserved'), ipv4Offset: 16 },
];

/** The kind of address a server-side request must not reach, or undefined for a public one. */
export function classifyAddress(address: string): BlockedAddressKind | undefined {
  const version = isIP(address.split('%')[0] ?? '');
  if (version === 4) return matchBlock(ipv4ToBigInt(address), 32, IPV4_BLOCKS);
  if (version !== 6) throw new TypeError(`not an IP address: ${address}`);
  const value = ipv6ToBigInt(address);
  for (const { block, ipv4Offset } of IPV4_CARRIERS) {
    if (inBlock(value, 128, block)) return matchBlock((value >> BigInt(96 - ipv4Offset)) & 0xffff_ffffn, 32, IPV4_BLOCKS);
  }
  return matchBlock(value, 128, IPV6_BLOCKS);
}

function matchBlock(value: bigint, width: number, blocks: readonly AddressBlock[]): BlockedAddressKind | undefined {
  return blocks.find((candidate) => inBlock(value, width, candidate))?.kind;
}

function inBlock(value: bigint, width: number, { network, prefixLength }: AddressBlock): boolean {
  const hostBits = BigInt(width - prefixLength);
  return value >> hostBits === network >> hostBits;
}

function block4(cidr: string, kind: BlockedAddressKind): AddressBlock {
  const [network = '', prefixLength = ''] = cidr.split('/');
  return { network: ipv4ToBigInt(network), prefixLength: Number(prefixLength), kind };
}

function block6(cidr: string, kind: BlockedAddressKind): AddressBlock {
  const [network = '', prefixLength = ''] = cidr.split('/');
  return { network: ipv6ToBigInt(network), prefixLength: Number(prefixLength), kind };
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address.split('%')[0] ?? '';
  if (text.includes('.')) {
    // A trailing dotted quad (::ffff:10.0.0.1) is the last two 16-bit groups written in IPv4 notation.
    const tailStart = text.lastIndexOf(':') + 1;
    const ipv4 = ipv4ToBigInt(text.slice(tailStart));
    text = `${text.slice(0, tailStart)}${(ipv4 >> 16n).toString(16)}:${(ipv4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeroGroups = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeroGroups, ...tailGroups].reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}
