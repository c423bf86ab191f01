import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

export interface FrontChannelResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const MAX_REDIRECTS = 10;

/**
 * The browser's part of a sign-in, without a browser: plain HTTPS requests that follow the IdP's
 * redirects one at a time and keep the IdP's own cookies (its session and interaction state).
 */
export class FrontChannel {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly trustedCaPem: string) {}

  /** Follows redirects from the authorization URL until one points at the redirect URI; returns that callback URL. */
  async followToCallback(authorizationUrl: URL, redirectUri: string): Promise<URL> {
    let next = authorizationUrl;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const response = await this.get(next);
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || location === undefined) {
        throw new Error(`${next.pathname} answered ${response.status} instead of redirecting: ${response.body.slice(0, 300)}`);
      }
      next = new URL(location, next);
      if (`${next.origin}${next.pathname}` === redirectUri) return next;
    }
    throw new Error(`no redirect to ${redirectUri} within ${MAX_REDIRECTS} hops`);
  }

  get(url: URL): Promise<FrontChannelResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { ca: this.trustedCaPem, agent: false, headers: cookie ? { cookie } : {} }, (incoming) => {
        this.remember(incoming.headers['set-cookie'] ?? []);
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  private remember(setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attributes] = header.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const cleared = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(separator + 1).trim());
    }
  }
}
