import { createHash, generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { errors, Provider, type Client, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { DemoDirectory, DemoUser } from '../demo-directories.js';
import { errorPage, logoutConfirmationPage, signedOutPage } from '../pages.js';
import type { JsonWebKeySet } from './certificate-credential.js';

/** An app registration in the tenant: a relying party of the kit, authenticated by its certificate credential or, failing that, a secret. */
export type OidcClientRegistration = OidcClientRegistrationCommon &
  (
    | { readonly jwks: JsonWebKeySet; readonly clientSecret?: never }
    | { readonly clientSecret: string; readonly jwks?: never }
  );

interface OidcClientRegistrationCommon {
  readonly tenantId: string;
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
}

export interface TenantOpenIdProvider {
  /** `https://<host>:<port>/<tid>/v2.0`, Entra's v2.0 issuer form. */
  readonly issuer: string;
  readonly provider: Provider;
  /** Where oidc-provider sends the browser to sign in; the dev IdP serves the user picker there. */
  readonly interactionPathPrefix: string;
}

/**
 * Entra's endpoint paths under the tenant, `/<tid>/oauth2/v2.0/authorize` and so on. The
 * provider is mounted at `/<tid>`, so its discovery document, which Entra serves under the
 * issuer (`/<tid>/v2.0/.well-known/openid-configuration`), is routed to it separately.
 */
const ENTRA_ROUTES = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  end_session: '/oauth2/v2.0/logout',
  jwks: '/discovery/v2.0/keys',
  userinfo: '/oidc/userinfo',
} as const;

/** Path prefixes under `/<tid>` that belong to oidc-provider: every route above, the logout confirmation and success pages included. */
export const PROVIDER_PATH_PREFIXES = ['/oauth2/v2.0/', '/discovery/v2.0/keys', '/oidc/userinfo'] as const;
/** Routes that answer a browser with an HTML page (errors, logout confirmation): they get the page CSP. */
export const BROWSER_PATH_PREFIXES = [ENTRA_ROUTES.authorization, ENTRA_ROUTES.end_session] as const;

const ID_TOKEN_CLAIMS = {
  openid: ['sub', 'oid', 'tid', 'roles', 'groups'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'department'],
  email: ['email'],
} as const;
const LOGOUT_FORM_ID = 'op.logoutForm';

/** Settings oidc-provider has but the kit's type declaration for it (written for a test fixture) leaves out. */
interface UndeclaredProviderSettings {
  readonly routes: Readonly<Record<string, string>>;
  readonly clientAuthMethods: readonly string[];
  readonly subjectTypes: readonly string[];
  readonly cookies: { readonly keys: readonly string[]; readonly names: Readonly<Record<'session' | 'interaction' | 'resume', string>> };
  readonly features: { readonly pushedAuthorizationRequests: { readonly enabled: boolean } };
  pairwiseIdentifier(ctx: KoaContextWithOIDC, accountId: string, client: Client): string;
  fetch(): Promise<never>;
}

/**
 * A real OpenID provider (oidc-provider) for one demo tenant, configured the way Entra ID behaves
 * for an app registration of a municipality: authorization code flow only, PKCE required, the
 * `iss` authorization response parameter (RFC 9207, always on in oidc-provider 9), certificate
 * credentials checked as Entra checks them, Entra's claim names, and a pairwise `sub`.
 */
export async function createTenantOpenIdProvider(origin: string, directory: DemoDirectory, clients: readonly OidcClientRegistration[]): Promise<TenantOpenIdProvider> {
  const { tenantId } = directory;
  const issuer = `${origin}/${tenantId}/v2.0`;
  const interactionPathPrefix = `/${tenantId}/interaction/`;
  const usersByObjectId = new Map(directory.users.map((user) => [user.oid, user]));
  const credentialThumbprints = new Map(clients.map((client) => [client.clientId, credentialThumbprintsOf(client)]));

  const configuration: Configuration & UndeclaredProviderSettings = {
    clients: clients.map(clientMetadata),
    jwks: { keys: [await newSigningJwk()] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // Every tenant's provider shares the origin; its own cookie names keep one tenant's browser session from being offered to another.
      names: { session: `_session_${tenantId}`, interaction: `_interaction_${tenantId}`, resume: `_interaction_resume_${tenantId}` },
    },
    claims: { acr: null, sid: null, auth_time: null, iss: null, ...ID_TOKEN_CLAIMS },
    // Entra puts the profile claims in the id_token itself, not only behind a userinfo call.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'], clientAuthSigningAlgValues: ['PS256', 'RS256'] },
    clientAuthMethods: ['private_key_jwt', 'client_secret_post'],
    ttl: { AccessToken: 3600, AuthorizationCode: 600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    routes: ENTRA_ROUTES,
    // Entra's `sub` is pairwise: one value per user and application, never the oid.
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) => createHash('sha256').update(`${tenantId}\n${client.clientId}\n${accountId}`).digest('base64url'),
    // The dev IdP makes no server-side requests; the only one oidc-provider would make is the back-channel logout below.
    fetch: () => Promise.reject(new Error('the development IdP makes no outbound requests')),
    features: {
      devInteractions: { enabled: false },
      // Entra has no PAR endpoint, so a relying party must not come to depend on one here.
      pushedAuthorizationRequests: { enabled: false },
      // Only so the id_token carries `sid`, as Entra's does; no logout token is ever sent (see `fetch`).
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutConfirmationPage(directory.name, form, LOGOUT_FORM_ID);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = signedOutPage(directory.name);
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${interactionPathPrefix}${interaction.uid}` },
    findAccount: (_ctx, accountId) => {
      const user = usersByObjectId.get(accountId);
      return user && { accountId, claims: () => entraClaims(tenantId, user, accountId) };
    },
    // A municipality's Entra admin consents for the whole organisation: users never see a consent screen.
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
      const thumbprints = credentialThumbprints.get(client.clientId) ?? [];
      if (thumbprints.length > 0 && !thumbprints.includes(String(header['x5t#S256']))) {
        throw new errors.InvalidClientAuth('x5t#S256 does not name a certificate credential of this application');
      }
      if (claims['aud'] !== ctx.oidc.urlFor('token')) throw new errors.InvalidClientAuth('aud must be the token endpoint');
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(`Fout / Error: ${String(out['error'])}`, String(out['error_description'] ?? ''));
    },
  };
  return { issuer, provider: new Provider(issuer, configuration), interactionPathPrefix };
}

/** Entra's v2.0 id_token claims; a claim without a value is left out, as Entra does. */
function entraClaims(tenantId: string, user: DemoUser, accountId: string): { sub: string; [claim: string]: unknown } {
  return {
    sub: accountId,
    oid: user.oid,
    tid: tenantId,
    name: user.displayName,
    given_name: user.givenName,
    family_name: user.surname,
    email: user.email,
    // The user principal name, which the demo users share with their e-mail address.
    preferred_username: user.email,
    ...(user.department === undefined ? {} : { department: user.department }),
    ...(user.roles?.length ? { roles: user.roles } : {}),
    ...(user.groups?.length ? { groups: user.groups } : {}),
  };
}

function clientMetadata(client: OidcClientRegistration): Readonly<Record<string, unknown>> {
  const common = {
    client_id: client.clientId,
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'RS256',
    // Never called (the provider's fetch refuses); registering it is what makes oidc-provider put `sid` in the id_token.
    backchannel_logout_uri: new URL('/backchannel-logout', client.redirectUris[0]).href,
    backchannel_logout_session_required: true,
  };
  return client.clientSecret === undefined
    ? { ...common, token_endpoint_auth_method: 'private_key_jwt', jwks: client.jwks }
    : { ...common, token_endpoint_auth_method: 'client_secret_post', client_secret: client.clientSecret };
}

/** Entra names the credential a client assertion was signed with by its `x5t#S256` header; JWKs that carry one are held to it. */
function credentialThumbprintsOf(client: OidcClientRegistration): readonly string[] {
  return (client.jwks?.keys ?? []).flatMap((key) => (typeof key['x5t#S256'] === 'string' ? [key['x5t#S256']] : []));
}

async function newSigningJwk(): Promise<object> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}
