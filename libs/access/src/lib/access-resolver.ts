import type { PermissionName } from '@veilig/platform-http';
import { TenantContext } from '@veilig/tenancy';
import { Access } from './access.js';
import type { AccessStore } from './access-store.js';
import { isBuiltInRole } from './built-in-roles.js';
import type { PermissionCatalogue } from './permission-catalogue.js';

/** The part of a resolved session (@veilig/identity) that decides what its user may do. */
export interface SessionForAccess {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly department: string | null;
  readonly accessVersion: string;
  readonly deviceId?: string | null;
  readonly user?: { readonly idpSubject: string | null; readonly displayName: string | null; readonly email: string | null };
}

const MAX_CACHED_SESSIONS = 10_000;

interface Grants {
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<PermissionName>;
}

/**
 * Turns a session into its Access. The roles and permissions are kept in memory per session and
 * tenant access_version: the version comes with every session lookup and changes with every
 * role, assignment or mapping change on any replica, so a cached answer is used exactly as long
 * as it is still true, and the common request costs no query for authorization. The department
 * is not cached: a sign-in elsewhere updates it for every session of the user, and the session
 * lookup reads it fresh on every request.
 */
export class AccessResolver {
  private readonly cache = new Map<string, Grants>();

  constructor(
    private readonly store: AccessStore,
    private readonly catalogue: PermissionCatalogue,
  ) {}

  async resolve(session: SessionForAccess): Promise<Access> {
    const { roles, permissions } = await this.grantsOf(session);
    return new Access(session.tenantId, session.userId, session.department, roles, permissions);
  }

  private async grantsOf(session: SessionForAccess): Promise<Grants> {
    const key = `${session.id}:${session.accessVersion}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const roles = await TenantContext.run({ tenantId: session.tenantId, actorId: session.userId }, () => this.store.rolesOf(session.userId));
    const permissions = new Set<PermissionName>();
    for (const { roleName, customPermissions } of roles) {
      const granted = isBuiltInRole(roleName) ? this.catalogue.builtInPermissions(roleName) : (customPermissions ?? []);
      // A custom role may name a permission of a module that is no longer installed: it grants nothing.
      for (const permission of granted) if (this.catalogue.has(permission)) permissions.add(permission);
    }
    const grants: Grants = { roles: roles.map((role) => role.roleName).sort(), permissions };
    if (this.cache.size >= MAX_CACHED_SESSIONS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, grants);
    return grants;
  }
}
