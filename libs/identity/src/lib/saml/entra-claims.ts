import type { Element } from '@xmldom/xmldom';
import { ENTRA_SAML_CLAIMS, type FederatedIdentity } from '../federated-identity.js';
import { SamlError } from './saml-error.js';
import { SAML_NAMESPACES, attribute, childElements, requiredChild, singleChild, textOf } from './untrusted-xml.js';

/**
 * A SAML sign-in. Beyond the protocol-neutral identity it carries the NameID as the IdP issued it,
 * because a LogoutRequest must name the user exactly so; keep it in the session for single logout.
 */
export interface SamlFederatedIdentity extends FederatedIdentity {
  readonly protocol: 'saml';
  readonly nameId: string;
  readonly nameIdFormat: string | undefined;
}

const { assertion: assertionNs } = SAML_NAMESPACES;

/** Maps a verified, checked assertion to an identity (SV-4). Every attribute may be missing. */
export function identityFromAssertion(assertion: Element): SamlFederatedIdentity {
  const nameIdElement = requiredChild(requiredChild(assertion, assertionNs, 'Subject'), assertionNs, 'NameID');
  const nameId = textOf(nameIdElement);
  if (!nameId) throw new SamlError('malformed', 'NameID is empty');
  const claims = claimValues(assertion);
  const single = (claimType: string): string | undefined => claims.get(claimType)?.[0];
  const entraObjectId = unambiguous(claims, ENTRA_SAML_CLAIMS.objectId);
  const authnStatement = singleChild(assertion, assertionNs, 'AuthnStatement');
  return {
    protocol: 'saml',
    // The oid is immutable and unique in the tenant; a NameID may be an e-mail address, which can be reassigned.
    subject: entraObjectId ?? nameId,
    entraObjectId,
    entraTenantId: unambiguous(claims, ENTRA_SAML_CLAIMS.tenantId),
    givenName: single(ENTRA_SAML_CLAIMS.givenName),
    surname: single(ENTRA_SAML_CLAIMS.surname),
    email: single(ENTRA_SAML_CLAIMS.email),
    displayName: single(ENTRA_SAML_CLAIMS.displayName),
    department: single(ENTRA_SAML_CLAIMS.department),
    groups: claims.get(ENTRA_SAML_CLAIMS.groups) ?? [],
    roles: claims.get(ENTRA_SAML_CLAIMS.roles) ?? [],
    deviceId: single(ENTRA_SAML_CLAIMS.deviceId),
    idpSessionId: authnStatement ? attribute(authnStatement, 'SessionIndex') : undefined,
    nameId,
    nameIdFormat: attribute(nameIdElement, 'Format'),
  };
}

/** Values per claim type, empty values dropped; a claim type in several Attribute elements accumulates. */
function claimValues(assertion: Element): Map<string, string[]> {
  const claims = new Map<string, string[]>();
  for (const statement of childElements(assertion, assertionNs, 'AttributeStatement')) {
    for (const claim of childElements(statement, assertionNs, 'Attribute')) {
      const claimType = attribute(claim, 'Name');
      if (!claimType) continue;
      const values = childElements(claim, assertionNs, 'AttributeValue').map(textOf).filter((value) => value !== '');
      claims.set(claimType, [...(claims.get(claimType) ?? []), ...values]);
    }
  }
  return claims;
}

/** For the claims a user is keyed by, two values would make the key a guess. */
function unambiguous(claims: ReadonlyMap<string, readonly string[]>, claimType: string): string | undefined {
  const values = claims.get(claimType) ?? [];
  if (values.length > 1) throw new SamlError('malformed', `${claimType} has ${values.length} values`);
  return values[0];
}
