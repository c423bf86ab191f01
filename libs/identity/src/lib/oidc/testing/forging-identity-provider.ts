import { createHmac, createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { startLoopbackHttpsServer } from './loopback-https-server.js';

/**
 * An IdP that answers the token request with whatever id_token a test forged, published at
 * Entra's endpoint paths with Entra's metadata. Only for attacks that a correct provider would
 * never produce (alg none, foreign signatures, wrong audience, expired tokens, lying metadata);
 * the protocol itself is tested against the real provider in entra-like-provider.ts.
 */

export interface ForgedSignature {
  /** Default RS256 with the published key. HS256 uses the published public key as HMAC secret (key confusion). */
  readonly alg?: 'RS256' | 'HS256' | 'none';
  /** Signs with a key the IdP does not publish, under the published key's kid. */
  readonly withUnpublishedKey?: boolean;
}

export interface ForgingIdentityProvider {
  readonly issuer: string;
  readonly tenantId: string;
  readonly caPem: string;
  readonly tokenEndpoint: string;
  /** What the relying party sent, for assertions about it. */
  readonly received: { discoveryRequests: number; tokenRequests: URLSearchParams[] };
  /** Merged into the discovery document: lying metadata. */
  metadataOverrides: Readonly<Record<string, unknown>>;
  /** When set, the discovery endpoint answers with a redirect there. */
  discoveryRedirect: string | undefined;
  /** The claims of a good id_token for this sign-in; tests change one thing at a time. */
  validClaims(nonce: string): Record<string, unknown>;
  signIdToken(claims: Readonly<Record<string, unknown>>, signature?: ForgedSignature): string;
  /** The next token request is answered with this id_token. */
  answerNextTokenRequest(idToken: string): void;
  /** The authorization response Entra would send: code and state, and no `iss` (Entra does not send it). */
  callbackUrl(redirectUri: string, state: string): URL;
  close(): Promise<void>;
}

const HOUR_S = 3600;

export async function startForgingIdentityProvider(options: { clientId: string; tenantId?: string }): Promise<ForgingIdentityProvider> {
  const tenantId = options.tenantId ?? randomUUID();
  const server = await startLoopbackHttpsServer();
  const issuer = `${server.origin}/${tenantId}/v2.0`;
  const endpoint = (path: string) => `${server.origin}/${tenantId}${path}`;
  const kid = randomUUID();
  const published = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unpublished = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const tokenEndpoint = endpoint('/oauth2/v2.0/token');
  let nextIdToken: string | undefined;

  const forger: ForgingIdentityProvider = {
    issuer,
    tenantId,
    caPem: server.caPem,
    tokenEndpoint,
    received: { discoveryRequests: 0, tokenRequests: [] },
    metadataOverrides: {},
    discoveryRedirect: undefined,
    validClaims: (nonce) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: issuer,
        aud: options.clientId,
        sub: 'pairwise-subject',
        oid: randomUUID(),
        tid: tenantId,
        iat: now,
        nbf: now,
        exp: now + HOUR_S,
        nonce,
        ver: '2.0',
      };
    },
    signIdToken: (claims, signature = {}) => {
      const alg = signature.alg ?? 'RS256';
      const signingInput = `${base64url({ alg, kid, typ: 'JWT' })}.${base64url(claims)}`;
      const signingKey: KeyObject = signature.withUnpublishedKey ? unpublished : published.privateKey;
      switch (alg) {
        case 'none':
          return `${signingInput}.`;
        case 'HS256':
          return `${signingInput}.${createHmac('sha256', published.publicKey.export({ type: 'spki', format: 'pem' })).update(signingInput).digest('base64url')}`;
        case 'RS256':
          return `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(signingKey, 'base64url')}`;
      }
    },
    answerNextTokenRequest: (idToken) => {
      nextIdToken = idToken;
    },
    callbackUrl: (redirectUri, state) => {
      const url = new URL(redirectUri);
      url.search = new URLSearchParams({ code: `forged-code-${randomUUID()}`, state }).toString();
      return url;
    },
    close: () => server.close(),
  };

  server.handle((request, response) => {
    const path = new URL(request.url ?? '/', server.origin).pathname;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      forger.received.discoveryRequests++;
      if (forger.discoveryRedirect !== undefined) {
        response.writeHead(302, { location: forger.discoveryRedirect }).end();
        return;
      }
      json(200, {
        issuer,
        authorization_endpoint: endpoint('/oauth2/v2.0/authorize'),
        token_endpoint: tokenEndpoint,
        jwks_uri: `${server.origin}/${tenantId}/discovery/v2.0/keys`,
        end_session_endpoint: endpoint('/oauth2/v2.0/logout'),
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        ...forger.metadataOverrides,
      });
    } else if (path === `/${tenantId}/discovery/v2.0/keys`) {
      json(200, { keys: [{ ...published.publicKey.export({ format: 'jwk' }), kid, use: 'sig' }] });
    } else if (path === `/${tenantId}/oauth2/v2.0/token` && request.method === 'POST') {
      void readForm(request).then((form) => {
        forger.received.tokenRequests.push(form);
        const idToken = nextIdToken;
        nextIdToken = undefined;
        if (idToken === undefined) json(400, { error: 'invalid_grant', error_description: 'no forged answer queued' });
        else json(200, { token_type: 'Bearer', scope: 'openid profile email', expires_in: HOUR_S, access_token: 'forged-access-token', id_token: idToken });
      });
    } else {
      json(404, { error: 'not_found' });
    }
  });
  return forger;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
}
