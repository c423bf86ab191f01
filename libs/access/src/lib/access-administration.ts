import { SYSTEM_ACTOR_ID } from '@veilig/audit';
import type { RoleClaimsSink } from '@veilig/identity';
import type { PermissionName } from '@veilig/platform-http';
import type { TenantScope } from '@veilig/tenancy';
import { TenantContext } from '@veilig/tenancy';
import type { Access } from './access.js';
import { AccessAdministrationError } from './access-administration.error.js';
import type { AccessStore, CustomRole, RoleAssignment, RoleMapping } from './access-store.js';
import type { AuditRecorder, RequestAuditContext } from './audit-context.js';
import { BUILT_IN_ROLES, isBuiltInRole, TENANT_ADMIN } from './built-in-roles.js';
import type { PermissionCatalogue } from './permission-catalogue.js';

/**
 * Who changes roles: a tenant admin through the API (their Access and the request's audit
 * context), or an operator on the server's command line, which is how the first admin of a
 * tenant comes to be when no IdP mapping makes one.
 */
export type AccessAdministrator =
  | { readonly kind: 'user'; readonly access: Access; readonly audit: RequestAuditContext }
  | { readonly kind: 'operator'; readonly operator: string };

/** A person of the tenant as the identity capability knows them. */
export interface TenantPerson {
  readonly id: string;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly idpSubject: string | null;
  readonly lastLoginAt: Date | null;
}

/** Lists the people of a tenant (UserDirectory of @veilig/identity). */
export interface TenantPeople {
  listForTenant(tenantId: string): Promise<TenantPerson[]>;
}

/** What a federated sign-in tells about roles: the IdP's claims, for one connection. */
export interface RoleClaims {
  readonly tenantId: string;
  readonly userId: string;
  readonly connectionId: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

export interface RoleView {
  readonly name: string;
  readonly builtIn: boolean;
  readonly description: string;
  readonly permissions: readonly string[];
}

export interface AuthorisedPerson {
  readonly userId: string;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly idpSubject: string | null;
  readonly lastLoginAt: string | null;
  readonly roles: ReadonlyArray<{ readonly name: string; readonly source: RoleAssignment['source']; readonly connectionId: string | null; readonly grantedAt: string }>;
  readonly permissions: readonly string[];
}

const ROLE_NAME = /^[a-z][a-z0-9-]{1,62}$/;
const ROLES_MANAGE: PermissionName = 'roles:manage';

/**
 * Every change to who may do what, with its rules: roles must exist and permissions be declared;
 * nobody changes their own roles (no self-elevation, no locking oneself out); the last tenant
 * admin stays; a custom role a user holds cannot be widened by that user. Each change and its
 * audit event (SE-3.2) commit together or not at all.
 */
export class AccessAdministration implements RoleClaimsSink {
  constructor(
    private readonly scope: TenantScope,
    private readonly store: AccessStore,
    private readonly catalogue: PermissionCatalogue,
    private readonly audit: AuditRecorder,
    private readonly people: TenantPeople,
  ) {}

  async roles(tenantId: string): Promise<RoleView[]> {
    const custom = await this.inTenant(tenantId, () => this.store.customRoles());
    return [
      ...Object.entries(BUILT_IN_ROLES).map(([name, description]) => ({
        name,
        builtIn: true,
        description,
        permissions: [...this.catalogue.builtInPermissions(name as keyof typeof BUILT_IN_ROLES)].sort(),
      })),
      ...custom.map((role) => ({ name: role.name, builtIn: false, description: role.description, permissions: [...role.permissions].sort() })),
    ];
  }

  async grant(actor: AccessAdministrator, tenantId: string, userId: string, roleName: string): Promise<void> {
    this.checkActor(actor, tenantId);
    if (actor.kind === 'user' && actor.access.userId === userId) {
      throw new AccessAdministrationError('own-roles', 'Nobody can change their own roles; ask another tenant admin.');
    }
    await this.inTenant(tenantId, () =>
      this.scope.run(async () => {
        await this.requireRole(roleName);
        const granted = await this.store.grant(userId, roleName, actor.kind === 'user' ? actor.access.userId : null).catch((error: unknown) => {
          throw isForeignKeyViolation(error) ? new AccessAdministrationError('unknown-user', 'There is no such user in this tenant.') : error;
        });
        if (granted) await this.record(actor, tenantId, 'authz.role.granted', { type: 'user', id: userId }, { role: roleName, source: 'in-app' });
      }),
    );
  }

  async revoke(actor: AccessAdministrator, tenantId: string, userId: string, roleName: string): Promise<void> {
    this.checkActor(actor, tenantId);
    if (actor.kind === 'user' && actor.access.userId === userId) {
      throw new AccessAdministrationError('own-roles', 'Nobody can change their own roles; ask another tenant admin.');
    }
    await this.inTenant(tenantId, () =>
      this.scope.run(async () => {
        if (roleName === TENANT_ADMIN) {
          const holders = await this.store.lockHolders(TENANT_ADMIN);
          const keepsItOtherwise = (await this.store.assignments(userId)).some((a) => a.roleName === TENANT_ADMIN && a.source !== 'in-app');
          if (holders.length === 1 && holders[0] === userId && !keepsItOtherwise) {
            throw new AccessAdministrationError('last-admin', 'This is the last tenant admin; make another one first.');
          }
        }
        if (!(await this.store.revoke(userId, roleName))) {
          throw new AccessAdministrationError('unknown-role', `The user holds no in-app grant of "${roleName}" (grants from the IdP change in the IdP).`);
        }
        await this.record(actor, tenantId, 'authz.role.revoked', { type: 'user', id: userId }, { role: roleName, source: 'in-app' });
      }),
    );
  }

  async createRole(actor: AccessAdministrator, tenantId: string, role: Pick<CustomRole, 'name' | 'description' | 'permissions'>): Promise<void> {
    this.checkActor(actor, tenantId);
    this.checkCustomRole(role);
    await this.inTenant(tenantId, () =>
      this.scope.run(async () => {
        if (!(await this.store.createRole(role.name, role.description, role.permissions))) {
          throw new AccessAdministrationError('role-exists', `A role named "${role.name}" exists already.`);
        }
        await this.record(actor, tenantId, 'authz.role.created', { type: 'role', id: role.name }, { permissions: [...role.permissions] });
      }),
    );
  }

  async updateRole(actor: AccessAdministrator, tenantId: string, role: Pick<CustomRole, 'name' | 'description' | 'permissions'>): Promise<void> {
    this.checkActor(actor, tenantId);
    this.checkCustomRole(role);
    await this.inTenant(tenantId, () =>
      this.scope.run(async () => {
        const current = await this.store.customRole(role.name);
        if (!current) throw new AccessAdministrationError('unknown-role', `There is no custom role "${role.name}".`);
        const added = role.permissions.filter((permission) => !current.permissions.includes(permission));
        if (actor.kind === 'user' && actor.access.roles.includes(role.name) && added.length > 0) {
          throw new AccessAdministrationError('self-elevation', 'You hold this role, so you cannot add permissions to it; ask another tenant admin.');
        }
        await this.store.updateRole(role.name, role.description, role.permissions);
        const removed = current.permissions.filter((permission) => !role.permissions.includes(permission));
        await this.record(actor, tenantId, 'authz.role.updated', { type: 'role', id: role.name }, { addedPermissions: added, removedPermissions: removed });
      }),
    );
  }

  async deleteRole(actor: AccessAdministrator, tenantId: string, name: string): Promise<void> {
    this.checkActor(actor, tenantId);
    if (isBuiltInRole(name)) throw new AccessAdministrationError('built-in-role', `"${name}" is a built-in role and cannot be deleted.`);
    await this.inTenant(tenantId, () =>
      this.scope.run(async () => {
        const outcome = await this.store.deleteRole(name);
        if (outcome === 'unknown') throw new AccessAdministrationError('unknown-role', `There is no custom role "${name}".`);
        if (outcome === 'in-use') throw new AccessAdministrationError('role-in-use', `"${name}" is still assigned or mapped; remove those first.`);
        await this.record(actor, tenantId, 'authz.role.deleted', { type: 'role', id: name }, {});
      }),
    );
  }

  async mappings(tenantId: string, connectionId: string): Promise<RoleMapping[]> {
    return this.inTenant(tenantId, () => this.store.mappings(connectionId));
  }

  /**
   * Replaces the claim → role mappings of one SSO connection; they apply at each user's next
   * sign-in. Group object ids are compared in lower case, as Entra sends them. An admin cannot
   * add a mapping that their own last sign-in's claims match, for a role they do not hold: that
   * would be granting themselves a role through the IdP.
   */
  async setMappings(actor: AccessAdministrator, tenantId: string, connectionId: string, mappings: readonly RoleMapping[]): Promise<void> {
    this.checkActor(actor, tenantId);
    const normalised = mappings.map(normaliseMapping);
    if (new Set(normalised.map(mappingKey)).size !== normalised.length) {
      throw new AccessAdministrationError('duplicate-mapping', 'The list names the same mapping twice.');
    }
    await this.inTenant(tenantId, () =>
      this.scope.run(async () => {
        if (!(await this.store.connectionInTenant(connectionId))) {
          throw new AccessAdministrationError('unknown-connection', 'There is no such SSO connection in this tenant.');
        }
        for (const roleName of new Set(normalised.map((mapping) => mapping.roleName))) await this.requireRole(roleName);
        if (actor.kind === 'user') await this.refuseSelfElevatingMappings(actor.access, connectionId, normalised);
        await this.store.replaceMappings(connectionId, normalised);
        await this.record(actor, tenantId, 'authz.mapping.changed', { type: 'sso-connection', id: connectionId }, {
          mappings: normalised.map((mapping) => `${mapping.claim}:${mapping.value}=>${mapping.roleName}`),
        });
      }),
    );
  }

  /**
   * At every federated sign-in: the user's roles from this connection become exactly what its
   * mappings make of the IdP's claims now. A user whose claims map to nothing holds no role from
   * the IdP; in-app grants are left as they are. The one exception: the IdP cannot take away the
   * tenant's last admin (the tenant would be left without anyone to administer it); that refusal
   * is recorded, so the customer sees why the role stayed.
   */
  async applyRoleClaims(claims: RoleClaims, audit: Omit<RequestAuditContext, 'tenantId'>): Promise<void> {
    const groups = claims.groups.map((group) => group.toLowerCase());
    await this.inTenant(claims.tenantId, () =>
      this.scope.run(async () => {
        await this.store.rememberClaims(claims.userId, claims.connectionId, { roles: claims.roles, groups });
        const mappings = await this.store.mappings(claims.connectionId);
        const mapped = new Set(
          mappings.filter((mapping) => (mapping.claim === 'roles' ? claims.roles : groups).includes(mapping.value)).map((mapping) => mapping.roleName),
        );
        const context = { ...audit, tenantId: claims.tenantId, target: { type: 'user', id: claims.userId } };
        if (!mapped.has(TENANT_ADMIN) && (await this.isLastAdminThrough(claims.userId, claims.connectionId))) {
          mapped.add(TENANT_ADMIN);
          await this.audit.record({
            ...context,
            action: 'authz.role.revoked',
            outcome: 'failure',
            reason: 'the IdP no longer grants tenant-admin, but this is the last tenant admin; make another admin first',
            details: { role: TENANT_ADMIN, source: 'idp', connectionId: claims.connectionId },
          });
        }
        const { added, removed } = await this.store.replaceIdpAssignments(claims.userId, claims.connectionId, [...mapped].sort());
        for (const role of added) {
          await this.audit.record({ ...context, action: 'authz.role.granted', outcome: 'success', details: { role, source: 'idp', connectionId: claims.connectionId } });
        }
        for (const role of removed) {
          await this.audit.record({ ...context, action: 'authz.role.revoked', outcome: 'success', details: { role, source: 'idp', connectionId: claims.connectionId } });
        }
      }),
    );
  }

  /** SV-7.3: every person of the tenant who holds any role, with their grants, effective permissions and last sign-in. */
  async accessReview(tenantId: string): Promise<AuthorisedPerson[]> {
    const [people, assignments, custom] = await Promise.all([
      this.people.listForTenant(tenantId),
      this.inTenant(tenantId, () => this.store.assignments()),
      this.inTenant(tenantId, () => this.store.customRoles()),
    ]);
    const customPermissions = new Map(custom.map((role) => [role.name, role.permissions]));
    const byUser = new Map<string, RoleAssignment[]>();
    for (const assignment of assignments) byUser.set(assignment.userId, [...(byUser.get(assignment.userId) ?? []), assignment]);
    return people
      .filter((person) => byUser.has(person.id))
      .map((person) => {
        const grants = byUser.get(person.id)!;
        const permissions = new Set<string>();
        for (const { roleName } of grants) {
          const granted = isBuiltInRole(roleName) ? this.catalogue.builtInPermissions(roleName) : (customPermissions.get(roleName) ?? []);
          for (const permission of granted) if (this.catalogue.has(permission)) permissions.add(permission);
        }
        return {
          userId: person.id,
          displayName: person.displayName,
          email: person.email,
          idpSubject: person.idpSubject,
          lastLoginAt: person.lastLoginAt?.toISOString() ?? null,
          roles: grants.map((grant) => ({ name: grant.roleName, source: grant.source, connectionId: grant.connectionId, grantedAt: grant.grantedAt.toISOString() })),
          permissions: [...permissions].sort(),
        };
      });
  }

  /** Whether the user is the tenant's only admin and holds it only through this connection's claims. */
  /**
   * Whether the user is the tenant's only admin and holds it only through this connection's claims.
   * The user's own grants are read first: every sign-in asks, and only the IdP-made admins need
   * the lock on the tenant's admin grants.
   */
  private async isLastAdminThrough(userId: string, connectionId: string): Promise<boolean> {
    const grants = (await this.store.assignments(userId)).filter((grant) => grant.roleName === TENANT_ADMIN);
    if (grants.length === 0 || !grants.every((grant) => grant.source === 'idp' && grant.connectionId === connectionId)) return false;
    const holders = await this.store.lockHolders(TENANT_ADMIN);
    return holders.length === 1 && holders[0] === userId;
  }

  private async refuseSelfElevatingMappings(access: Access, connectionId: string, mappings: readonly RoleMapping[]): Promise<void> {
    const own = await this.store.claimsOf(access.userId, connectionId);
    if (!own) return;
    const existing = new Set((await this.store.mappings(connectionId)).map(mappingKey));
    const elevating = mappings.filter(
      (mapping) =>
        !existing.has(mappingKey(mapping)) &&
        !access.roles.includes(mapping.roleName) &&
        (mapping.claim === 'roles' ? own.roles : own.groups).includes(mapping.value),
    );
    if (elevating.length > 0) {
      throw new AccessAdministrationError(
        'self-elevation',
        `Your own sign-in carries ${elevating.map((mapping) => `${mapping.claim} "${mapping.value}"`).join(', ')}, so this mapping would grant you a role you do not hold; ask another tenant admin.`,
      );
    }
  }

  private async requireRole(roleName: string): Promise<void> {
    if (isBuiltInRole(roleName)) return;
    if (!(await this.store.customRole(roleName))) throw new AccessAdministrationError('unknown-role', `There is no role named "${roleName}".`);
  }

  private checkCustomRole(role: Pick<CustomRole, 'name' | 'description' | 'permissions'>): void {
    if (isBuiltInRole(role.name)) throw new AccessAdministrationError('built-in-role', `"${role.name}" is a built-in role; pick another name.`);
    if (!ROLE_NAME.test(role.name)) throw new AccessAdministrationError('invalid-role', 'A role name is 2–63 lower-case letters, digits and hyphens, starting with a letter.');
    if (role.description.length > 500) throw new AccessAdministrationError('invalid-role', 'A role description is at most 500 characters.');
    if (role.permissions.length === 0) throw new AccessAdministrationError('invalid-role', 'A role needs at least one permission.');
    const unknown = this.catalogue.unknown(role.permissions);
    if (unknown.length > 0) throw new AccessAdministrationError('unknown-permission', `Unknown permissions: ${unknown.join(', ')}.`);
  }

  /** Defence in depth behind the route guard: the service itself refuses an actor without roles:manage, or of another tenant. */
  private checkActor(actor: AccessAdministrator, tenantId: string): void {
    if (actor.kind === 'operator') return;
    if (actor.access.tenantId !== tenantId || !actor.access.has(ROLES_MANAGE)) {
      throw new AccessAdministrationError('not-permitted', 'Changing roles needs the roles:manage permission.');
    }
  }

  private record(actor: AccessAdministrator, tenantId: string, action: string, target: { type: string; id: string }, details: Record<string, string | string[]>) {
    const who =
      actor.kind === 'user'
        ? actor.audit
        : { actor: { type: 'operator' as const, operator: actor.operator } };
    return this.audit.record({ ...who, tenantId, action, outcome: 'success', target, details });
  }

  /** Runs in the tenant's context: the caller's when it is this tenant, otherwise one opened for it. */
  private inTenant<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    const current = TenantContext.optional();
    if (current?.tenantId === tenantId.toLowerCase()) return work();
    return TenantContext.run({ tenantId, actorId: current?.actorId ?? SYSTEM_ACTOR_ID }, work);
  }
}

function normaliseMapping(mapping: RoleMapping): RoleMapping {
  return mapping.claim === 'groups' ? { ...mapping, value: mapping.value.toLowerCase() } : mapping;
}

function mappingKey(mapping: RoleMapping): string {
  return `${mapping.claim}\u0000${mapping.value}\u0000${mapping.roleName}`;
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23503';
}
