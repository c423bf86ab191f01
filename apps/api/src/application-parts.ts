import { ACCESS_MIGRATIONS } from '@veilig/access';
import { AUDIT_FORWARDING_MIGRATIONS, AUDIT_MIGRATIONS, AUDIT_PERMISSIONS } from '@veilig/audit';
import { IDENTITY_MIGRATIONS, IDENTITY_PERMISSIONS } from '@veilig/identity';
import type { PermissionDeclaration } from '@veilig/platform-http';
import { CASES_PERMISSIONS } from './cases/cases.permissions.js';
import { Cases1765200000000 } from './cases/migrations/1765200000000-cases.js';

/**
 * The capabilities this application is made of, in one place: a module a fork adds lists its
 * migrations and its permission declarations here (the Nx generator does it for new modules).
 */
export const APPLICATION_MIGRATIONS = [...IDENTITY_MIGRATIONS, ...ACCESS_MIGRATIONS, ...AUDIT_MIGRATIONS, ...AUDIT_FORWARDING_MIGRATIONS, Cases1765200000000];

export const APPLICATION_PERMISSIONS: readonly PermissionDeclaration[] = [...IDENTITY_PERMISSIONS, ...AUDIT_PERMISSIONS, ...CASES_PERMISSIONS];
