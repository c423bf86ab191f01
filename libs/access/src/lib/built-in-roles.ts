/**
 * Roles every tenant has, defined in code so an upgrade can extend them. Which permissions each
 * one holds is not listed here: every module says so where it declares a permission
 * (PermissionDeclaration.grantedTo), so adding a module never means editing this file.
 */
export const BUILT_IN_ROLES = {
  'tenant-admin': 'Administers the tenant: roles, sign-in connections, sessions and the access review. Sees no case data by this role alone.',
  auditor: 'Reads and exports the audit log, and nothing else.',
  member: 'Works on the cases assigned to them or their team, personal data included.',
  viewer: 'Reads cases without their personal data.',
} as const;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

export const TENANT_ADMIN: BuiltInRoleName = 'tenant-admin';

export function isBuiltInRole(name: string): name is BuiltInRoleName {
  return Object.hasOwn(BUILT_IN_ROLES, name);
}
