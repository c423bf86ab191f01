import type { FastifyReply } from 'fastify';

export type SameSite = 'Strict' | 'Lax' | 'None';

export interface CookieOptions {
  readonly sameSite?: SameSite;
  /** Omitted: a session cookie that ends with the browser session. */
  readonly maxAgeSeconds?: number;
}

export class CookiePolicyError extends Error {
  override readonly name = 'CookiePolicyError';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 cookie-octet: no controls, whitespace, DQUOTE, comma, semicolon or backslash.
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const HOST_PREFIX = '__Host-';
const MAX_COOKIE_BYTES = 4096;

/**
 * The only way the kit sets a cookie (TH-11). Every cookie gets the `__Host-` prefix, which makes
 * browsers insist on Secure, Path=/ and no Domain, plus HttpOnly and SameSite. SameSite=None is
 * refused unless the operator allowed it (COOKIE_ALLOW_SAMESITE_NONE).
 */
export class CookieWriter {
  constructor(private readonly policy: { readonly allowSameSiteNone: boolean }) {}

  serialize(name: string, value: string, options: CookieOptions = {}): string {
    const sameSite = options.sameSite ?? 'Strict';
    if (sameSite === 'None' && !this.policy.allowSameSiteNone) {
      throw new CookiePolicyError(`cookie "${name}": SameSite=None needs COOKIE_ALLOW_SAMESITE_NONE=true (TH-11)`);
    }
    const fullName = name.startsWith(HOST_PREFIX) ? name : HOST_PREFIX + name;
    if (!TOKEN.test(fullName)) throw new CookiePolicyError(`cookie name "${name}" is not an RFC 6265 token`);
    if (!COOKIE_VALUE.test(value)) {
      throw new CookiePolicyError(`cookie "${name}": value has characters a cookie cannot carry; encode it (base64url)`);
    }
    const attributes = [`${fullName}=${value}`, 'Path=/', 'Secure', 'HttpOnly', `SameSite=${sameSite}`];
    if (options.maxAgeSeconds !== undefined) attributes.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
    const cookie = attributes.join('; ');
    if (Buffer.byteLength(cookie) > MAX_COOKIE_BYTES) throw new CookiePolicyError(`cookie "${name}" exceeds ${MAX_COOKIE_BYTES} bytes`);
    return cookie;
  }

  set(reply: FastifyReply, name: string, value: string, options?: CookieOptions): void {
    reply.header('set-cookie', this.serialize(name, value, options));
  }

  clear(reply: FastifyReply, name: string): void {
    this.set(reply, name, '', { maxAgeSeconds: 0 });
  }
}
