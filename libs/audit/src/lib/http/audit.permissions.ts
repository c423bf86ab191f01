import type { PermissionDeclaration } from '@veilig/platform-http';

/** The customer's own view of its audit log (SE-3.2): for the auditor role, and nobody else by default. */
export const AUDIT_PERMISSIONS: readonly PermissionDeclaration[] = [
  { name: 'audit:read', description: "Search the tenant's audit log and check its hash chain.", grantedTo: ['auditor'] },
  { name: 'audit:export', description: "Export the tenant's audit log as CSV or JSON Lines.", grantedTo: ['auditor'] },
];
