/**
 * The documented action taxonomy: every audit event names one of these, so that a customer's
 * SIEM rules can match on a closed list. A new kind of event adds an entry here first.
 */
export const AUDIT_ACTIONS = {
  'auth.logon': 'A user signed in and a session was started.',
  'auth.logoff': 'A session ended by the user signing out or by expiry.',
  'auth.failed': 'A sign-in attempt failed (wrong credentials, invalid assertion, unknown user).',
  'auth.rejected': 'A sign-in was refused by policy (tenant suspended, IP not allowed, throttled).',
  'mfa.enrolled': 'A user enrolled a second factor.',
  'mfa.failed': 'A second-factor code was wrong or replayed.',
  'mfa.recovery-code-used': 'A user signed in with a one-time recovery code.',
  'access.denied': 'A request was refused for lack of a permission or outside the tenant.',
  'data.viewed': 'Personal or confidential data was read.',
  'data.created': 'A record was created.',
  'data.updated': 'A record was changed.',
  'data.deleted': 'A record was deleted.',
  'data.exported': 'Data left the application in bulk (download, report, API export).',
  'authz.role.granted': 'A role was granted to a user or group.',
  'authz.role.revoked': 'A role was taken away from a user or group.',
  'authz.role.created': 'A role was defined.',
  'authz.role.updated': 'The permissions of a role changed.',
  'authz.role.deleted': 'A role was removed.',
  'authz.mapping.changed': 'The mapping from IdP groups or claims to roles changed.',
  'sso.connection.created': 'A tenant SSO connection (SAML or OIDC) was added.',
  'sso.connection.updated': 'A tenant SSO connection was changed.',
  'sso.connection.removed': 'A tenant SSO connection was removed.',
  'sso.connection.metadata-refresh': 'IdP metadata of an SSO connection was fetched again.',
  'session.revoked': 'A session was ended by an administrator or by a security rule.',
  'tenant.created': 'A tenant was created.',
  'tenant.auth-mode.changed': 'A tenant switched between federated and local sign-in.',
  'tenant.status.changed': 'A tenant was suspended, reactivated or terminated.',
  'tenant.email-domains.changed': "The e-mail domains of a tenant's users changed.",
  'tenant.ip-allow-list.changed': "A tenant's IP allow list changed.",
  'export.started': 'A tenant data export was started.',
  'export.completed': 'A tenant data export finished.',
  'config.changed': 'A tenant or platform setting changed.',
  'audit.retention.purged': 'Audit events older than the retention period were deleted.',
  'audit.checkpoint': "A signed statement of the audit chain's head, for cut-off detection.",
  'security.exception': 'An unexpected security-relevant failure (integrity check, tampering, misuse).',
} as const satisfies Readonly<Record<string, string>>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}
