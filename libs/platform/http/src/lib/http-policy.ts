import { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isAllowedHost, safeRedirectPath, requestedHostname } from './host-header.js';
import { problem, PROBLEM_CONTENT_TYPE } from './problem.js';
import { answerClientError } from './raw-responses.js';
import type { SecurityHeaderSets } from './security-headers.js';

export interface HttpPolicy {
  readonly allowedHosts: readonly string[];
  readonly headers: SecurityHeaderSets;
  /** TLS ends at a trusted offloader in front (SE-6.4); plain requests still need redirecting. */
  readonly tlsOffloaded: boolean;
  readonly trustProxy: readonly string[] | undefined;
  /** The port part of the public HTTPS origin ('' for 443). */
  readonly publicHttpsPort: string;
  readonly bodyLimitBytes: number;
}

/** Probes come from the orchestrator on the pod address over plain HTTP; a redirect would fail them. */
const PROBE_PATH = /^\/health\/(live|ready)(\?|$)/;

export function fastifyServerOptions(policy: HttpPolicy, logger: Logger): FastifyServerOptions {
  return {
    loggerInstance: logger,
    // One access line per request is written by the onResponse hook below instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // A client-chosen request id could forge log correlation; every request gets a fresh one.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    trustProxy: policy.trustProxy ? [...policy.trustProxy] : false,
    bodyLimit: policy.bodyLimitBytes,
    // Sealed sign-in tickets travel as one path segment; the default (100) is shorter than they are.
    routerOptions: { maxParamLength: 512 },
    forceCloseConnections: true,
    return503OnClosing: true,
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, policy.headers.https),
    // URLs the router cannot decode never reach the hooks; they still get the full policy.
    frameworkErrors: (_error, request, frameworkReply) => {
      // The reply is typed with the route's schema generics, which a framework error has none of.
      const reply = frameworkReply as FastifyReply;
      reply
        .headers(policy.headers.https)
        .header('x-request-id', request.id)
        .code(400)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(400, request.id, 'The request URL is malformed.'));
    },
  };
}

/**
 * Applies the header policy, Host validation and (behind an offloader) the HTTPS redirect to
 * every response, including 404s, errors and static files, before any route runs.
 */
export function installHttpPolicy(app: FastifyInstance, policy: HttpPolicy): void {
  const portSuffix = policy.publicHttpsPort ? `:${policy.publicHttpsPort}` : '';
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const plainBehindOffloader = policy.tlsOffloaded && request.protocol !== 'https';
    reply.headers(plainBehindOffloader ? policy.headers.plain : policy.headers.https);
    if (!isAllowedHost(request.host, policy.allowedHosts)) {
      reply
        .code(400)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(400, request.id, 'The Host header is missing or names a host this service does not serve.'));
      return;
    }
    if (plainBehindOffloader && !PROBE_PATH.test(request.url)) {
      reply.redirect(`https://${requestedHostname(request.host)}${portSuffix}${safeRedirectPath(request.url)}`, 301);
      return;
    }
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    const contentType = reply.getHeader('content-type');
    if (typeof contentType === 'string' && contentType.startsWith('text/html')) {
      reply.header('content-security-policy', policy.headers.pageCsp);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The query string is left out: it can carry authorisation codes and tokens.
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?', 1)[0],
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });
}
