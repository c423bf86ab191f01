import type { PermissionDeclaration } from '@veilig/platform-http';

/** What the access capability itself guards. */
export const ACCESS_PERMISSIONS: readonly PermissionDeclaration[] = [
  { name: 'roles:read', description: 'See the roles, their permissions and the IdP claim mappings.', grantedTo: ['tenant-admin'] },
  { name: 'roles:manage', description: 'Create, change and delete custom roles, grant and revoke roles, map IdP claims to roles.', grantedTo: ['tenant-admin'] },
  { name: 'access-review:read', description: 'List every authorised person with their roles, permissions and last sign-in (SV-7.3).', grantedTo: ['tenant-admin'] },
];
