import { readCertificateCredential } from './client-authentication.js';
import { OidcError } from './oidc-error.js';

/**
 * Entra's certificate credential (its implementation of `private_key_jwt`): the application's
 * RSA certificate is uploaded to the app registration, the key stays here and signs assertions.
 */
export interface PrivateKeyJwtClientAuth {
  readonly method: 'private_key_jwt';
  /** PKCS#8 PEM of an RSA key (Entra accepts only RSA certificate credentials). */
  readonly privateKeyPem: string;
  /** The certificate uploaded to the app registration; its SHA-256 thumbprint names it (`x5t#S256`). */
  readonly certificatePem: string;
}

/** Fallback for tenants whose admins only hand out a client secret; secrets leak and expire more easily. */
export interface ClientSecretPostClientAuth {
  readonly method: 'client_secret_post';
  readonly clientSecret: string;
}

export type OidcClientAuth = PrivateKeyJwtClientAuth | ClientSecretPostClientAuth;

/** One tenant's sign-in connection to its own Entra ID tenant. */
export interface OidcConnection {
  readonly connectionId: string;
  /** The tenant-specific v2.0 issuer, exactly `https://login.microsoftonline.com/<tid>/v2.0`. */
  readonly issuer: string;
  /** The Entra tenant id (`tid`), a lower-case GUID; every id_token must carry it. */
  readonly expectedTenantId: string;
  /** The application (client) id of the app registration. */
  readonly clientId: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly clientAuth: OidcClientAuth;
  /** Default {@link DEFAULT_OIDC_SCOPES}. */
  readonly scopes?: readonly string[];
  /**
   * Lets discovery, JWKS and token requests reach loopback and private addresses: only for a
   * development IdP on this machine, never for a customer's connection.
   */
  readonly allowPrivateNetwork?: boolean;
}

export const DEFAULT_OIDC_SCOPES = ['openid', 'profile', 'email'] as const;

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// RFC 6749 scope-token characters.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/**
 * Entra's multi-tenant endpoints. Their metadata names the issuer `…/{tenantid}/v2.0`, a template
 * any tenant's tokens satisfy; a library that fills it from the token's own `tid` then accepts
 * every Entra tenant in the world. (A URL path carries the braces percent-encoded.)
 */
const MULTI_TENANT_SEGMENTS = new Set(['common', 'organizations', 'consumers', '%7btenantid%7d']);

/** Throws {@link OidcError} `configuration-invalid` naming the first problem found. */
export function validateOidcConnection(connection: OidcConnection): void {
  const refuse = (problem: string): never => {
    throw new OidcError('configuration-invalid', `OIDC connection "${connection.connectionId}": ${problem}`);
  };
  if (connection.connectionId.trim() === '') refuse('connectionId is empty');
  if (connection.clientId.trim() === '') refuse('clientId is empty');
  if (!TENANT_ID.test(connection.expectedTenantId)) refuse('expectedTenantId must be the Entra tenant id, a lower-case GUID');
  validateIssuer(connection.issuer, connection.expectedTenantId, refuse);
  validateBrowserUri('redirectUri', connection.redirectUri, { allowQuery: false }, refuse);
  validateBrowserUri('postLogoutRedirectUri', connection.postLogoutRedirectUri, { allowQuery: true }, refuse);
  const scopes = connection.scopes ?? DEFAULT_OIDC_SCOPES;
  if (!scopes.includes('openid')) refuse('scopes must include "openid"');
  if (!scopes.every((scope) => SCOPE_TOKEN.test(scope))) refuse('scopes must be RFC 6749 scope tokens');
  const { clientAuth } = connection;
  if (clientAuth.method === 'client_secret_post') {
    if (clientAuth.clientSecret === '') refuse('clientSecret is empty');
  } else {
    try {
      readCertificateCredential(clientAuth);
    } catch (error) {
      refuse(error instanceof Error ? error.message : 'unreadable certificate credential');
    }
  }
}

function validateIssuer(issuer: string, tenantId: string, refuse: (problem: string) => never): void {
  const url = URL.parse(issuer) ?? refuse('issuer is not a URL');
  if (url.protocol !== 'https:') refuse('issuer must be an https URL');
  const segments = url.pathname.toLowerCase().split('/');
  if (segments.some((segment) => MULTI_TENANT_SEGMENTS.has(segment))) {
    refuse('issuer must be one tenant\'s issuer; the multi-tenant "common", "organizations", "consumers" and "{tenantid}" forms are never accepted');
  }
  if (url.href !== issuer || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    refuse('issuer must be written in canonical form, without credentials, query or fragment');
  }
  if (url.pathname !== `/${tenantId}/v2.0`) refuse(`issuer must be the tenant's v2.0 issuer, ending in /${tenantId}/v2.0`);
}

function validateBrowserUri(
  name: string,
  value: string,
  { allowQuery }: { allowQuery: boolean },
  refuse: (problem: string) => never,
): void {
  const url = URL.parse(value) ?? refuse(`${name} is not a URL`);
  if (url.protocol !== 'https:') refuse(`${name} must be an https URL`);
  if (url.hash !== '' || (!allowQuery && url.search !== '')) refuse(`${name} must not have a fragment${allowQuery ? '' : ' or query'}`);
}
