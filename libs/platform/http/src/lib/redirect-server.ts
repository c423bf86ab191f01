import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { isAllowedHost, requestedHostname, safeRedirectPath } from './host-header.js';
import { answerClientError, sendProblem } from './raw-responses.js';
import type { HeaderMap } from './security-headers.js';

export interface RedirectServerOptions {
  readonly allowedHosts: readonly string[];
  /** The port part of the public HTTPS origin ('' for 443). */
  readonly httpsPort: string;
  /** The header policy minus HSTS (TH-6 applies to plain HTTP responses too). */
  readonly headers: HeaderMap;
}

/**
 * The plain-HTTP listener does one thing: send the browser to HTTPS on the very host it asked
 * for (TH-1, TH-2), so HSTS can be picked up there before any hop to another name.
 */
export function createRedirectServer(options: RedirectServerOptions): Server {
  const portSuffix = options.httpsPort ? `:${options.httpsPort}` : '';
  const server = createServer({ requireHostHeader: false }, (request, response) => {
    const requestId = randomUUID();
    if (!isAllowedHost(request.headers.host, options.allowedHosts)) {
      sendProblem(response, 400, requestId, 'The Host header is missing or names a host this service does not serve.', options.headers);
      return;
    }
    const location = `https://${requestedHostname(request.headers.host)}${portSuffix}${safeRedirectPath(request.url)}`;
    response.writeHead(301, { ...options.headers, location, 'content-length': 0, 'x-request-id': requestId });
    response.end();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, options.headers));
  return server;
}
