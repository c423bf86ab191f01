import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { buildSecurityHeaders, tlsContextOptions } from '@veilig/platform-http';
import { AUTOPOST_SCRIPT_PATH, STYLESHEET_PATH, errorPage } from './pages.js';
import { RefusedRequest } from './refused-request.js';

export type DevIdpServer = FastifyInstance<Server, IncomingMessage, ServerResponse>;

export interface DevIdpHttpPolicy {
  /** The page CSP, with the relying parties' origins allowed as form targets. */
  readonly pageCsp: string;
}

/** A user picker POST carries two short fields; nothing the dev IdP's own routes accept is larger. */
const BODY_LIMIT_BYTES = 16 * 1024;
const ASSETS = [
  { path: AUTOPOST_SCRIPT_PATH, file: 'autopost.js', type: 'text/javascript; charset=utf-8' },
  { path: STYLESHEET_PATH, file: 'dev-idp.css', type: 'text/css; charset=utf-8' },
].map((asset) => ({ ...asset, content: readFileSync(new URL(`./assets/${asset.file}`, import.meta.url)) }));

/**
 * The dev IdP's HTTPS server, held to the kit's own TLS policy and security headers: what the
 * kit's relying party meets here is what it must be able to meet at a hardened IdP.
 *
 * `formActionOrigins` are the origins pages may submit forms to, directly (the SAML HTTP-POST
 * form) or through redirects (the user picker and logout confirmation, which end at a relying
 * party): browsers apply `form-action` to every hop of a form submission's redirects.
 */
export function createDevIdpServer(tls: { certPem: string; keyPem: string }, formActionOrigins: readonly string[]): { app: DevIdpServer; policy: DevIdpHttpPolicy } {
  const headers = buildSecurityHeaders({ hstsPreload: false });
  const policy = { pageCsp: withFormActionOrigins(headers.pageCsp, formActionOrigins) };
  const app: DevIdpServer = Fastify({
    https: tlsContextOptions({ cert: tls.certPem, key: tls.keyPem }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    requestIdHeader: false,
    logger: false,
  });
  // On the raw response, so the headers also reach the responses oidc-provider writes itself.
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of Object.entries(headers.https)) reply.raw.setHeader(name, value);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (String(reply.getHeader('content-type')).startsWith('text/html')) reply.header('content-security-policy', policy.pageCsp);
    done(null, payload);
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof RefusedRequest) return sendPage(reply.code(400), errorPage('Verzoek geweigerd / Request refused', error.message));
    // Fastify's own refusals (a body too large, a content type it cannot parse) carry their 4xx status.
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
    const detail = error instanceof Error ? error.message : String(error);
    return sendPage(reply.code(status), errorPage(status === 500 ? 'Interne fout / Internal error' : 'Verzoek geweigerd / Request refused', detail));
  });
  app.setNotFoundHandler((_request, reply) => sendPage(reply.code(404), errorPage('Niet gevonden / Not found', 'Deze pagina bestaat niet. This page does not exist.')));
  void app.register(formbody);
  for (const asset of ASSETS) {
    app.get(asset.path, (_request, reply) => reply.type(asset.type).send(asset.content));
  }
  return { app, policy };
}

export function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(html);
}

/** A form field from an urlencoded body; a repeated or missing field is refused. */
export function formField(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value === '') throw new RefusedRequest(`the form field "${name}" is missing`);
  return value;
}

function withFormActionOrigins(pageCsp: string, origins: readonly string[]): string {
  const directives = pageCsp.split(';').map((directive) => directive.trim());
  const formAction = directives.findIndex((directive) => directive.startsWith('form-action '));
  if (formAction === -1) throw new Error('the kit\'s page CSP has no form-action directive to extend');
  directives[formAction] = [directives[formAction], ...new Set(origins)].join(' ');
  return directives.join('; ');
}
