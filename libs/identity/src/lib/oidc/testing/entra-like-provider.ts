import { createHash, generateKeyPairSync, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, Provider } from 'oidc-provider';
import { startLoopbackHttpsServer } from './loopback-https-server.js';

/**
 * A real OpenID provider (oidc-provider) dressed as an Entra ID tenant, for tests and as the
 * model of a development IdP: HTTPS on 127.0.0.1, issuer `https://127.0.0.1:<port>/<tid>/v2.0`,
 * Entra's claims, PKCE required, `iss` in every authorization response (RFC 9207), and client
 * assertions checked the way Entra checks certificate credentials. Sign-in needs no form: the
 * interaction logs in the user that `login_hint` names, or the first user.
 */

/** Entra's claims for one user. `tid` defaults to the provider's tenant (a guest from elsewhere has another). */
export interface EntraUserClaims {
  readonly oid: string;
  readonly tid?: string;
  readonly preferred_username: string;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly email?: string;
  readonly department?: string;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
  readonly deviceid?: string;
}

export type EntraLikeClientAuth =
  | { readonly method: 'private_key_jwt'; readonly certificatePem: string }
  | { readonly method: 'client_secret_post'; readonly clientSecret: string };

/** An app registration. */
export interface EntraLikeClient {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly auth: EntraLikeClientAuth;
}

export interface EntraLikeProviderOptions {
  readonly tenantId?: string;
  readonly clients: readonly EntraLikeClient[];
  /** The first one signs in when the authorization request has no `login_hint`. */
  readonly users: readonly EntraUserClaims[];
}

export interface EntraLikeProvider {
  readonly issuer: string;
  readonly tenantId: string;
  /** Trust this CA for the provider's TLS. */
  readonly caPem: string;
  close(): Promise<void>;
}

const ID_TOKEN_CLAIMS = {
  openid: ['sub', 'oid', 'tid', 'roles', 'groups', 'deviceid'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'department'],
  email: ['email'],
} as const;
const INTERACTION_PATH = '/interaction/';

export async function startEntraLikeProvider(options: EntraLikeProviderOptions): Promise<EntraLikeProvider> {
  const tenantId = options.tenantId ?? randomUUID();
  const server = await startLoopbackHttpsServer();
  const issuer = `${server.origin}/${tenantId}/v2.0`;
  const users = options.users.map((user) => ({ tid: tenantId, ...user }));
  const accounts = new Map<string, EntraUserClaims>();
  const certificateThumbprints = new Map(
    options.clients.flatMap((client) =>
      client.auth.method === 'private_key_jwt' ? [[client.clientId, thumbprintS256(client.auth.certificatePem)] as const] : [],
    ),
  );

  const provider = new Provider(issuer, {
    clients: options.clients.map(clientRegistration),
    jwks: { keys: [signingJwk()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { acr: null, sid: null, auth_time: null, iss: null, ...ID_TOKEN_CLAIMS },
    // Entra puts the profile claims in the id_token itself, not only behind a userinfo call.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'], clientAuthSigningAlgValues: ['PS256', 'RS256'] },
    ttl: { AccessToken: 3600, AuthorizationCode: 600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    features: {
      devInteractions: { enabled: false },
      // Only so the id_token carries `sid`, as Entra's does when the app asks for it.
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = `<!doctype html><title>Sign out</title>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = '<!doctype html><title>Signed out</title>';
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}` },
    findAccount: (_ctx, accountId) => {
      const user = accounts.get(accountId);
      return user && { accountId, claims: () => ({ ...user, sub: accountId }) };
    },
    // Entra apps in a municipality are admin-consented: the user never sees a consent screen.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
    assertJwtClientAuthClaimsAndHeader: (ctx, claims, header, client) => {
      const thumbprint = certificateThumbprints.get(client.clientId);
      if (thumbprint !== undefined && header['x5t#S256'] !== thumbprint) {
        throw new errors.InvalidClientAuth('x5t#S256 does not name the certificate registered for this application');
      }
      if (claims['aud'] !== ctx.oidc.urlFor('token')) throw new errors.InvalidClientAuth('aud must be the token endpoint');
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = { error: out['error'], error_description: out['error_description'] };
    },
  });

  const mountPath = new URL(issuer).pathname;
  const handleProviderRequest = provider.callback();
  server.handle((request, response) => {
    const path = request.url ?? '/';
    if (path.startsWith(INTERACTION_PATH)) {
      logInAutomatically(provider, users, accounts, request, response).catch(() => response.writeHead(500).end());
    } else if (path === mountPath || path.startsWith(`${mountPath}/`)) {
      // Mounted the way Express's app.use(mountPath, …) does it: the provider reads its base path from originalUrl.
      Object.assign(request, { originalUrl: path });
      request.url = path.slice(mountPath.length) || '/';
      void handleProviderRequest(request, response);
    } else {
      response.writeHead(404).end();
    }
  });

  return { issuer, tenantId, caPem: server.caPem, close: () => server.close() };
}

async function logInAutomatically(
  provider: Provider,
  users: readonly EntraUserClaims[],
  accounts: Map<string, EntraUserClaims>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const interaction = await provider.interactionDetails(request, response);
  const hint = interaction.params['login_hint'];
  const user = typeof hint === 'string' ? users.find((candidate) => candidate.preferred_username === hint) : users[0];
  if (interaction.prompt.name !== 'login' || !user) {
    await provider.interactionFinished(request, response, { error: 'access_denied', error_description: 'no such user in this tenant' });
    return;
  }
  // Entra's `sub` is pairwise, one per user and application, and never the `oid`.
  const accountId = createHash('sha256').update(`${String(interaction.params['client_id'])}:${user.oid}`).digest('base64url');
  accounts.set(accountId, user);
  await provider.interactionFinished(request, response, { login: { accountId } }, { mergeWithLastSubmission: false });
}

function clientRegistration(client: EntraLikeClient): Readonly<Record<string, unknown>> {
  const common = {
    client_id: client.clientId,
    redirect_uris: [client.redirectUri],
    post_logout_redirect_uris: [client.postLogoutRedirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'RS256',
    backchannel_logout_uri: new URL('/oidc/backchannel-logout', client.redirectUri).href,
    backchannel_logout_session_required: true,
  };
  if (client.auth.method === 'client_secret_post') {
    return { ...common, token_endpoint_auth_method: 'client_secret_post', client_secret: client.auth.clientSecret };
  }
  const certificate = new X509Certificate(client.auth.certificatePem);
  return {
    ...common,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'PS256',
    jwks: {
      keys: [
        {
          ...certificate.publicKey.export({ format: 'jwk' }),
          kid: thumbprintS256(client.auth.certificatePem),
          use: 'sig',
          x5c: [certificate.raw.toString('base64')],
        },
      ],
    },
  };
}

function signingJwk(): object {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function thumbprintS256(certificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('base64url');
}
