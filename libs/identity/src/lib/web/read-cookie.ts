/**
 * A cookie set by CookieWriter, by its unprefixed name. Only the `__Host-` form counts: a cookie
 * without the prefix could have been planted by a sibling subdomain or over plain HTTP.
 */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  const wanted = `__Host-${name}`;
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === wanted) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
