/**
 * What a federated sign-in yields, whichever protocol carried it. The attribute set is the
 * minimal one SV-4 names (given name, surname, e-mail, department); any of them may be missing.
 */
export interface FederatedIdentity {
  readonly protocol: 'saml' | 'oidc';
  /**
   * The key a user is provisioned under, together with the tenant: the Entra object id (oid) when
   * the IdP sends one, otherwise the protocol's own subject (NameID or `sub`). Never the e-mail.
   */
  readonly subject: string;
  readonly entraObjectId: string | undefined;
  readonly entraTenantId: string | undefined;
  readonly givenName: string | undefined;
  readonly surname: string | undefined;
  readonly email: string | undefined;
  readonly displayName: string | undefined;
  readonly department: string | undefined;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** Entra's device id claim, when Conditional Access sends it (audit: the device used). */
  readonly deviceId: string | undefined;
  /** SAML SessionIndex or OIDC `sid`, needed for single logout. */
  readonly idpSessionId: string | undefined;
}

/** Entra ID's claim type URIs as they appear in SAML attribute statements. */
export const ENTRA_SAML_CLAIMS = {
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  tenantId: 'http://schemas.microsoft.com/identity/claims/tenantid',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  department: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  roles: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  deviceId: 'http://schemas.microsoft.com/2012/01/devicecontext/claims/identifier',
} as const;
