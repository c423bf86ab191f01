/** The roles and groups an IdP asserted for a user at one sign-in through one connection. */
export interface FederatedRoleClaims {
  readonly tenantId: string;
  readonly userId: string;
  readonly connectionId: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

/** Who signed in, from where, for the audit events the role changes produce. */
export interface SignInAuditContext {
  readonly actor: { readonly type: 'user'; readonly userId: string; readonly idpSubject?: string; readonly displayName?: string; readonly email?: string };
  readonly device: { readonly ip?: string; readonly userAgent?: string; readonly deviceId?: string };
  readonly requestId: string;
}

/**
 * Where a federated sign-in hands the IdP's role and group claims, before the session starts:
 * the access capability turns them into role assignments through the connection's mappings.
 * Identity only delivers the claims; what they grant is not its business.
 */
export abstract class RoleClaimsSink {
  abstract applyRoleClaims(claims: FederatedRoleClaims, context: SignInAuditContext): Promise<void>;
}
