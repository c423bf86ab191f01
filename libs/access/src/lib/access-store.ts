import type { TenantScope } from '@veilig/tenancy';

export type AssignmentSource = 'idp' | 'in-app';

export interface RoleAssignment {
  readonly userId: string;
  readonly roleName: string;
  readonly source: AssignmentSource;
  readonly connectionId: string | null;
  readonly grantedBy: string | null;
  readonly grantedAt: Date;
}

export interface CustomRole {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly string[];
  readonly updatedAt: Date;
}

export interface RoleMapping {
  readonly claim: 'roles' | 'groups';
  readonly value: string;
  readonly roleName: string;
}

interface AssignmentRow {
  user_id: string;
  role_name: string;
  source: AssignmentSource;
  connection_id: string | null;
  granted_by: string | null;
  granted_at: Date;
}

const ASSIGNMENT_COLUMNS = 'user_id, role_name, source, connection_id, granted_by, granted_at';

interface RoleRow {
  name: string;
  description: string;
  permissions: string[];
  updated_at: Date;
}

const ROLE_COLUMNS = 'name, description, permissions, updated_at';

/**
 * The role tables, in SQL, always through TenantScope: every statement runs under the tenant of
 * the current context, and row-level security keeps it there even where a WHERE clause forgot
 * the tenant. Methods name the user they concern explicitly. A change made of several statements
 * runs inside the caller's `scope.run`, which they join, so it commits or fails as one.
 */
export class AccessStore {
  constructor(private readonly scope: TenantScope) {}

  /** The user's roles and, for custom roles, their permissions: what the guard needs, in one statement. */
  async rolesOf(userId: string): Promise<Array<{ roleName: string; customPermissions: string[] | null }>> {
    const rows = await this.scope.query<{ role_name: string; permissions: string[] | null }>(
      `SELECT DISTINCT a.role_name, r.permissions
         FROM role_assignments a LEFT JOIN roles r ON r.tenant_id = a.tenant_id AND r.name = a.role_name
        WHERE a.user_id = $1`,
      [userId],
    );
    return rows.map((row) => ({ roleName: row.role_name, customPermissions: row.permissions }));
  }

  async assignments(userId?: string): Promise<RoleAssignment[]> {
    const rows = await this.scope.query<AssignmentRow>(
      `SELECT ${ASSIGNMENT_COLUMNS} FROM role_assignments WHERE $1::uuid IS NULL OR user_id = $1 ORDER BY user_id, role_name, source`,
      [userId ?? null],
    );
    return rows.map(toAssignment);
  }

  /** Inserts an in-app grant; false when the user already had it in-app. */
  async grant(userId: string, roleName: string, grantedBy: string | null): Promise<boolean> {
    const rows = await this.scope.query(
      `INSERT INTO role_assignments (user_id, role_name, source, granted_by) VALUES ($1, $2, 'in-app', $3)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, roleName, grantedBy],
    );
    return rows.length > 0;
  }

  /** Removes an in-app grant; false when there was none. IdP grants are the IdP's to remove. */
  async revoke(userId: string, roleName: string): Promise<boolean> {
    const rows = await this.scope.query(`DELETE FROM role_assignments WHERE user_id = $1 AND role_name = $2 AND source = 'in-app' RETURNING user_id`, [
      userId,
      roleName,
    ]);
    return rows.length > 0;
  }

  /**
   * How many users hold `roleName` from any source. FOR UPDATE locks those assignments, so two
   * admins removing each other at the same moment cannot both pass the last-admin check.
   */
  async lockHolders(roleName: string): Promise<string[]> {
    const rows = await this.scope.query<{ user_id: string }>('SELECT user_id FROM role_assignments WHERE role_name = $1 FOR UPDATE', [roleName]);
    return [...new Set(rows.map((row) => row.user_id))];
  }

  /**
   * Makes the user's IdP grants from one connection exactly `roleNames`: only the difference is
   * written, so a sign-in that changes nothing changes no row (and invalidates no cache).
   */
  async replaceIdpAssignments(userId: string, connectionId: string, roleNames: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
    const removed = await this.scope.query<{ role_name: string }>(
      `DELETE FROM role_assignments
        WHERE user_id = $1 AND source = 'idp' AND connection_id = $2 AND NOT (role_name = ANY($3::text[]))
        RETURNING role_name`,
      [userId, connectionId, roleNames],
    );
    const added = await this.scope.query<{ role_name: string }>(
      `INSERT INTO role_assignments (user_id, role_name, source, connection_id)
       SELECT $1, name, 'idp', $2 FROM unnest($3::text[]) AS name
       ON CONFLICT DO NOTHING RETURNING role_name`,
      [userId, connectionId, roleNames],
    );
    return { added: added.map((row) => row.role_name), removed: removed.map((row) => row.role_name) };
  }

  async customRoles(): Promise<CustomRole[]> {
    return (await this.scope.query<RoleRow>(`SELECT ${ROLE_COLUMNS} FROM roles ORDER BY name`)).map(toCustomRole);
  }

  async customRole(name: string): Promise<CustomRole | undefined> {
    const [row] = await this.scope.query<RoleRow>(`SELECT ${ROLE_COLUMNS} FROM roles WHERE name = $1`, [name]);
    return row && toCustomRole(row);
  }

  /** False when a role of that name exists already. */
  async createRole(name: string, description: string, permissions: readonly string[]): Promise<boolean> {
    const rows = await this.scope.query('INSERT INTO roles (name, description, permissions) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING name', [
      name,
      description,
      permissions,
    ]);
    return rows.length > 0;
  }

  async updateRole(name: string, description: string, permissions: readonly string[]): Promise<boolean> {
    const rows = await this.scope.query('UPDATE roles SET description = $2, permissions = $3, updated_at = now() WHERE name = $1 RETURNING name', [
      name,
      description,
      permissions,
    ]);
    return rows.length > 0;
  }

  /** Deletes a custom role nobody holds and no mapping names; says which it was otherwise. */
  async deleteRole(name: string): Promise<'deleted' | 'unknown' | 'in-use'> {
    const rows = await this.scope.query<{ outcome: 'deleted' | 'unknown' | 'in-use' }>(
      `WITH used AS (
         SELECT EXISTS (SELECT 1 FROM role_assignments WHERE role_name = $1) OR EXISTS (SELECT 1 FROM role_mappings WHERE role_name = $1) AS in_use
       ), deleted AS (
         DELETE FROM roles WHERE name = $1 AND NOT (SELECT in_use FROM used) RETURNING name
       )
       SELECT CASE WHEN EXISTS (SELECT 1 FROM deleted) THEN 'deleted'
                   WHEN NOT EXISTS (SELECT 1 FROM roles WHERE name = $1) THEN 'unknown'
                   ELSE 'in-use' END AS outcome`,
      [name],
    );
    return rows[0]!.outcome;
  }

  /** Whether the SSO connection is one of the current tenant's. */
  async connectionInTenant(connectionId: string): Promise<boolean> {
    const [row] = await this.scope.query<{ found: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM sso_connections WHERE id = $1 AND tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) AS found",
      [connectionId],
    );
    return row!.found;
  }

  /** Remembers the claims of a user's sign-in through a connection; writes only when they changed. */
  async rememberClaims(userId: string, connectionId: string, claims: { roles: readonly string[]; groups: readonly string[] }): Promise<void> {
    await this.scope.query(
      `INSERT INTO idp_claims (user_id, connection_id, roles, groups) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, user_id, connection_id) DO UPDATE SET roles = EXCLUDED.roles, groups = EXCLUDED.groups, updated_at = now()
        WHERE idp_claims.roles IS DISTINCT FROM EXCLUDED.roles OR idp_claims.groups IS DISTINCT FROM EXCLUDED.groups`,
      [userId, connectionId, claims.roles, claims.groups],
    );
  }

  async claimsOf(userId: string, connectionId: string): Promise<{ roles: string[]; groups: string[] } | undefined> {
    const [row] = await this.scope.query<{ roles: string[]; groups: string[] }>('SELECT roles, groups FROM idp_claims WHERE user_id = $1 AND connection_id = $2', [
      userId,
      connectionId,
    ]);
    return row;
  }

  async mappings(connectionId: string): Promise<RoleMapping[]> {
    const rows = await this.scope.query<{ claim: 'roles' | 'groups'; value: string; role_name: string }>(
      'SELECT claim, value, role_name FROM role_mappings WHERE connection_id = $1 ORDER BY claim, value, role_name',
      [connectionId],
    );
    return rows.map((row) => ({ claim: row.claim, value: row.value, roleName: row.role_name }));
  }

  async replaceMappings(connectionId: string, mappings: readonly RoleMapping[]): Promise<void> {
    await this.scope.query('DELETE FROM role_mappings WHERE connection_id = $1', [connectionId]);
    if (mappings.length === 0) return;
    await this.scope.query(
      `INSERT INTO role_mappings (connection_id, claim, value, role_name)
       SELECT $1, m.claim, m.value, m.role_name FROM unnest($2::text[], $3::text[], $4::text[]) AS m(claim, value, role_name)`,
      [connectionId, mappings.map((m) => m.claim), mappings.map((m) => m.value), mappings.map((m) => m.roleName)],
    );
  }
}

function toAssignment(row: AssignmentRow): RoleAssignment {
  return {
    userId: row.user_id,
    roleName: row.role_name,
    source: row.source,
    connectionId: row.connection_id,
    grantedBy: row.granted_by,
    grantedAt: row.granted_at,
  };
}

function toCustomRole(row: RoleRow): CustomRole {
  return { name: row.name, description: row.description, permissions: row.permissions, updatedAt: row.updated_at };
}
