import { readCookie } from '../web/read-cookie.js';

/** The session cookie's name; CookieWriter adds the `__Host-` prefix. */
export const SESSION_COOKIE = 'session';

export function sessionTokenFrom(cookieHeader: string | undefined): string | undefined {
  return readCookie(cookieHeader, SESSION_COOKIE);
}
