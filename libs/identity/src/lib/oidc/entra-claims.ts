import type { IDToken } from 'openid-client';
import type { FederatedIdentity } from '../federated-identity.js';

export interface OidcFederatedIdentity extends FederatedIdentity {
  readonly protocol: 'oidc';
  /**
   * The raw id_token, for `id_token_hint` at logout. Keep it server-side with the session: it
   * carries personal data and is never needed by the browser.
   */
  readonly idToken: string;
  /** Entra's optional `login_hint` claim, usable as `logout_hint` when no id_token is kept. */
  readonly logoutHint: string | undefined;
  /**
   * True when the user is in more groups than fit in a token (Entra then sends a pointer to the
   * Graph API instead): `groups` is incomplete, so no decision may rest on a group being absent.
   */
  readonly groupsOverage: boolean;
}

// An e-mail shape; guest UPNs such as `jan_example.nl#EXT#@tenant.onmicrosoft.com` are not mailboxes.
const MAILBOX = /^[^\s@#]+@[^\s@#]+\.[^\s@#]+$/;

/**
 * Maps a validated Entra v2.0 id_token to the protocol-neutral identity. `oid` is the stable key;
 * `preferred_username` (the UPN) only stands in for a missing `email`, never for identification.
 */
export function identityFromEntraClaims(claims: IDToken, idToken: string): OidcFederatedIdentity {
  const objectId = text(claims, 'oid');
  const preferredUsername = text(claims, 'preferred_username');
  const claimNames = claims['_claim_names'];
  return {
    protocol: 'oidc',
    subject: objectId ?? claims.sub,
    entraObjectId: objectId,
    entraTenantId: text(claims, 'tid'),
    givenName: text(claims, 'given_name'),
    surname: text(claims, 'family_name'),
    email: text(claims, 'email') ?? (preferredUsername && MAILBOX.test(preferredUsername) ? preferredUsername : undefined),
    displayName: text(claims, 'name'),
    department: text(claims, 'department'),
    groups: texts(claims, 'groups'),
    roles: texts(claims, 'roles'),
    deviceId: text(claims, 'deviceid'),
    idpSessionId: text(claims, 'sid'),
    idToken,
    logoutHint: text(claims, 'login_hint'),
    groupsOverage:
      claims['hasgroups'] === true ||
      (typeof claimNames === 'object' && claimNames !== null && !Array.isArray(claimNames) && 'groups' in claimNames),
  };
}

function text(claims: IDToken, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function texts(claims: IDToken, name: string): readonly string[] {
  const value = claims[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
