/**
 * The host name a request names, lower-cased and without port, or undefined when the Host
 * header is absent or malformed. IPv6 literals keep their brackets, as in a URL.
 */
export function requestedHostname(hostHeader: string | undefined): string | undefined {
  if (!hostHeader || hostHeader.length > 255) return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(hostHeader);
  if (!match) return undefined;
  return match[1]!.toLowerCase().replace(/\.$/, '');
}

export function isAllowedHost(hostHeader: string | undefined, allowedHosts: readonly string[]): boolean {
  const hostname = requestedHostname(hostHeader);
  return hostname !== undefined && allowedHosts.includes(hostname);
}

/** A path to append to an origin: absolute-form or scheme-relative targets collapse to "/" so a redirect can never leave the host. */
export function safeRedirectPath(url: string | undefined): string {
  if (!url || !url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return '/';
  return url;
}
