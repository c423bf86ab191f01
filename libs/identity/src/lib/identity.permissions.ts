import type { PermissionDeclaration } from '@veilig/platform-http';

/** What the identity capability guards beyond a user's own sessions. */
export const IDENTITY_PERMISSIONS: readonly PermissionDeclaration[] = [
  { name: 'sessions:manage', description: "See every signed-in session of the tenant and end any of them.", grantedTo: ['tenant-admin'] },
  { name: 'sso:read', description: 'See the tenant\'s SSO connections (never their secrets).', grantedTo: ['tenant-admin'] },
  { name: 'sso:manage', description: 'Add, change and remove the tenant\'s SSO connections.', grantedTo: ['tenant-admin'] },
];
