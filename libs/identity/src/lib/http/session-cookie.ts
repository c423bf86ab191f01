/** The session cookie's name; CookieWriter adds the `__Host-` prefix. */
export const SESSION_COOKIE = 'session';
const SESSION_COOKIE_HEADER_NAME = `__Host-${SESSION_COOKIE}`;

/**
 * The session token from a Cookie header. Only the `__Host-` name counts: a cookie without the
 * prefix could have been planted by a sibling subdomain or over plain HTTP.
 */
export function sessionTokenFrom(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === SESSION_COOKIE_HEADER_NAME) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
