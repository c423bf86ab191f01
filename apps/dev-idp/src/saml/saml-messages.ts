import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { DemoUser } from '../demo-directories.js';
import { SAML_NAMESPACES, xml } from './saml-xml.js';

/** The SAML messages the dev IdP sends, shaped like Microsoft Entra ID's. */

export interface SamlSigningKey {
  readonly certPem: string;
  /** PKCS#8 PEM of an RSA key: Entra signs with RSA-SHA256 only. */
  readonly keyPem: string;
}

export interface SamlTenantIdentity {
  readonly tenantId: string;
  /** Entra's SAML entity id, `https://sts.windows.net/<tid>/`, also the Issuer of every message. */
  readonly entityId: string;
  /** Where both sign-in and logout requests go, as at login.microsoftonline.com/<tid>/saml2. */
  readonly ssoUrl: string;
  readonly signingKey: SamlSigningKey;
}

export interface LoginAnswer {
  readonly idp: SamlTenantIdentity;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly inResponseTo: string;
  readonly user: DemoUser;
}

/** Entra's claim type URIs; written out here rather than imported so the kit's service provider is tested against Entra, not against itself. */
const ENTRA_CLAIM_TYPES = {
  tenantId: 'http://schemas.microsoft.com/identity/claims/tenantid',
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  department: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  roles: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
} as const;

const { protocol, assertion: assertionNs, metadata: metadataNs, xmldsig } = SAML_NAMESPACES;
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const PERSISTENT_NAME_ID = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const PASSWORD_CONTEXT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password';
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
/** Entra's window around an assertion: five minutes of skew before, and a short life after. */
const VALIDITY_MS = 5 * 60_000;

export function entraEntityId(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** A samlp:Response with a signed assertion, as Entra POSTs it to the ACS (Entra signs the assertion, not the Response, by default). */
export function loginResponse({ idp, spEntityId, acsUrl, inResponseTo, user }: LoginAnswer): string {
  const now = Date.now();
  const issued = instant(now);
  const notBefore = instant(now - VALIDITY_MS);
  const notOnOrAfter = instant(now + VALIDITY_MS);
  const assertion =
    `<Assertion ID="${newId()}" IssueInstant="${issued}" Version="2.0" xmlns="${assertionNs}">` +
    `<Issuer>${xml(idp.entityId)}</Issuer>` +
    '<Subject>' +
    `<NameID Format="${PERSISTENT_NAME_ID}">${xml(pairwiseNameId(idp.tenantId, spEntityId, user.oid))}</NameID>` +
    `<SubjectConfirmation Method="${BEARER}">` +
    `<SubjectConfirmationData InResponseTo="${xml(inResponseTo)}" NotOnOrAfter="${notOnOrAfter}" Recipient="${xml(acsUrl)}"/>` +
    '</SubjectConfirmation>' +
    '</Subject>' +
    `<Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">` +
    `<AudienceRestriction><Audience>${xml(spEntityId)}</Audience></AudienceRestriction>` +
    '</Conditions>' +
    attributeStatement(idp.tenantId, user) +
    `<AuthnStatement AuthnInstant="${issued}" SessionIndex="${newId()}">` +
    `<AuthnContext><AuthnContextClassRef>${PASSWORD_CONTEXT}</AuthnContextClassRef></AuthnContext>` +
    '</AuthnStatement>' +
    '</Assertion>';
  return (
    `<samlp:Response ID="${newId()}" Version="2.0" IssueInstant="${issued}" Destination="${xml(acsUrl)}" InResponseTo="${xml(inResponseTo)}" xmlns:samlp="${protocol}">` +
    `<Issuer xmlns="${assertionNs}">${xml(idp.entityId)}</Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${STATUS_SUCCESS}"/></samlp:Status>` +
    sign(assertion, 'Assertion', idp.signingKey, { after: 'Issuer' }) +
    '</samlp:Response>'
  );
}

/** Entra answers a LogoutRequest with an unsigned LogoutResponse over HTTP-Redirect; so does this IdP, so the kit meets what production sends. */
export function logoutResponse(idp: SamlTenantIdentity, destination: string, inResponseTo: string): string {
  return (
    `<samlp:LogoutResponse ID="${newId()}" Version="2.0" IssueInstant="${instant(Date.now())}" Destination="${xml(destination)}" InResponseTo="${xml(inResponseTo)}" xmlns:samlp="${protocol}">` +
    `<Issuer xmlns="${assertionNs}">${xml(idp.entityId)}</Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${STATUS_SUCCESS}"/></samlp:Status>` +
    '</samlp:LogoutResponse>'
  );
}

/** The tenant's federationmetadata.xml: signed like Entra's, with sign-in and logout at the same HTTP-Redirect endpoint. */
export function federationMetadata(idp: SamlTenantIdentity): string {
  const certificate = new X509Certificate(idp.signingKey.certPem).raw.toString('base64');
  const document =
    `<EntityDescriptor ID="${newId()}" entityID="${xml(idp.entityId)}" xmlns="${metadataNs}">` +
    `<IDPSSODescriptor protocolSupportEnumeration="${protocol}">` +
    `<KeyDescriptor use="signing"><KeyInfo xmlns="${xmldsig}"><X509Data><X509Certificate>${certificate}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
    `<SingleLogoutService Binding="${HTTP_REDIRECT}" Location="${xml(idp.ssoUrl)}"/>` +
    `<SingleSignOnService Binding="${HTTP_REDIRECT}" Location="${xml(idp.ssoUrl)}"/>` +
    '</IDPSSODescriptor>' +
    '</EntityDescriptor>';
  return `<?xml version="1.0" encoding="utf-8"?>${sign(document, 'EntityDescriptor', idp.signingKey, 'first-child')}`;
}

/** Entra leaves out an attribute the user has no value for, rather than sending it empty. */
function attributeStatement(tenantId: string, user: DemoUser): string {
  const claims: readonly (readonly [string, readonly string[]])[] = [
    [ENTRA_CLAIM_TYPES.tenantId, [tenantId]],
    [ENTRA_CLAIM_TYPES.objectId, [user.oid]],
    [ENTRA_CLAIM_TYPES.displayName, [user.displayName]],
    [ENTRA_CLAIM_TYPES.givenName, [user.givenName]],
    [ENTRA_CLAIM_TYPES.surname, [user.surname]],
    [ENTRA_CLAIM_TYPES.email, [user.email]],
    // Entra's `name` claim is the user principal name, which the demo users share with their e-mail address.
    [ENTRA_CLAIM_TYPES.name, [user.email]],
    [ENTRA_CLAIM_TYPES.department, user.department === undefined ? [] : [user.department]],
    [ENTRA_CLAIM_TYPES.groups, user.groups ?? []],
    [ENTRA_CLAIM_TYPES.roles, user.roles ?? []],
  ];
  return (
    '<AttributeStatement>' +
    claims
      .filter(([, values]) => values.length > 0)
      .map(([name, values]) => `<Attribute Name="${name}">${values.map((value) => `<AttributeValue>${xml(value)}</AttributeValue>`).join('')}</Attribute>`)
      .join('') +
    '</AttributeStatement>'
  );
}

/**
 * Entra's default NameID is persistent and pairwise: stable for one user at one application,
 * different at every other, so two service providers cannot correlate users by it.
 */
function pairwiseNameId(tenantId: string, spEntityId: string, oid: string): string {
  return createHash('sha256').update(`${tenantId}\n${spEntityId}\n${oid}`).digest('base64url');
}

/** An enveloped RSA-SHA256 signature with exclusive c14n, where the SAML schema puts it: after the Issuer, or first in metadata. */
function sign(document: string, rootName: string, key: SamlSigningKey, placement: { after: 'Issuer' } | 'first-child'): string {
  const root = `/*[local-name(.)='${rootName}']`;
  const signer = new SignedXml({ privateKey: key.keyPem, publicCert: key.certPem, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXCLUSIVE_C14N });
  signer.addReference({ xpath: root, transforms: [ENVELOPED_SIGNATURE, EXCLUSIVE_C14N], digestAlgorithm: SHA256 });
  signer.computeSignature(document, {
    location: placement === 'first-child' ? { reference: root, action: 'prepend' } : { reference: `${root}/*[local-name(.)='${placement.after}']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/** Entra writes seven fractional digits. */
function instant(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '0000Z');
}

/** Entra's message ids: an underscore (an XML ID may not start with a digit) and a GUID. */
function newId(): string {
  return `_${randomUUID()}`;
}
