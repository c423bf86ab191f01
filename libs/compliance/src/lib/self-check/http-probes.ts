import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { ResponseHeaders } from './grade-headers.js';
import { describeNetworkError, HANDSHAKE_TIMEOUT_MS } from './probe-tls.js';

export interface FetchedResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
}

export type FetchOutcome = { readonly ok: true; readonly response: FetchedResponse } | { readonly ok: false; readonly reason: string };

export interface HttpEndpoint {
  /** Host name or IP address, without brackets. */
  readonly host: string;
  readonly port: number;
  /** The Host header a browser would send for this URL. */
  readonly hostHeader: string;
  readonly path: string;
}

/**
 * One GET over HTTPS, redirects not followed, as securityheaders.com does. The certificate is
 * not verified here: trust is graded (T) by the TLS part, and the headers deserve a grade anyway.
 */
export function fetchOverHttps(endpoint: HttpEndpoint): Promise<FetchOutcome> {
  return new Promise((resolve) => {
    const request = httpsRequest({
      host: endpoint.host,
      port: endpoint.port,
      path: endpoint.path,
      method: 'GET',
      servername: isIP(endpoint.host) ? undefined : endpoint.host,
      rejectUnauthorized: false,
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
      agent: false,
      headers: { host: endpoint.hostHeader, accept: 'text/html,*/*', 'user-agent': 'veilig-self-check' },
    });
    settleOnResponse(request, resolve);
  });
}

/** One GET over plain HTTP, to see where the redirect points (TH-1, TH-2). */
export function fetchOverHttp(endpoint: HttpEndpoint): Promise<FetchOutcome> {
  return new Promise((resolve) => {
    const request = httpRequest({
      host: endpoint.host,
      port: endpoint.port,
      path: endpoint.path,
      method: 'GET',
      agent: false,
      headers: { host: endpoint.hostHeader, accept: 'text/html,*/*', 'user-agent': 'veilig-self-check' },
    });
    settleOnResponse(request, resolve);
  });
}

function settleOnResponse(request: ReturnType<typeof httpRequest>, resolve: (outcome: FetchOutcome) => void): void {
  request.setTimeout(HANDSHAKE_TIMEOUT_MS, () => request.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
  request.once('response', (response) => {
    resolve({ ok: true, response: { status: response.statusCode ?? 0, headers: flattenHeaders(response.headers) } });
    // Only the head matters: the body is cut off, and the abort that causes is expected.
    response.on('error', () => undefined);
    request.destroy();
  });
  request.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, reason: describeNetworkError(error) }));
  request.end();
}

function flattenHeaders(headers: IncomingHttpHeaders): ResponseHeaders {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
