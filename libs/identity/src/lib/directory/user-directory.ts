import type { DataSource } from 'typeorm';
import type { FederatedIdentity } from '../federated-identity.js';
import { IdentityTenantRows } from '../tenant-rows.js';

export interface User {
  readonly id: string;
  readonly tenantId: string;
  readonly idpSubject: string | null;
  readonly email: string | null;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly displayName: string | null;
  readonly department: string | null;
}

interface UserRow {
  id: string;
  tenant_id: string;
  idp_subject: string | null;
  email: string | null;
  given_name: string | null;
  surname: string | null;
  display_name: string | null;
  department: string | null;
}

const COLUMNS = 'id, tenant_id, idp_subject, email, given_name, surname, display_name, department';

/** The users of each tenant; every query runs in the tenant's context (row-level security). */
export class UserDirectory {
  private readonly tenantRows: IdentityTenantRows;

  constructor(dataSource: DataSource) {
    this.tenantRows = new IdentityTenantRows(dataSource);
  }

  /**
   * Just-in-time provisioning: the user is keyed by (tenant, IdP subject) — the Entra object id —
   * never by e-mail, which an IdP admin can change or reuse. Attributes follow the IdP at every
   * sign-in; a missing attribute clears the stored one, so nothing outlives the IdP's truth.
   */
  async provisionFederated(tenantId: string, identity: FederatedIdentity): Promise<User> {
    const rows = await this.tenantRows.query<UserRow>(
      tenantId,
      `INSERT INTO users (tenant_id, idp_subject, email, given_name, surname, display_name, department, last_login_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (tenant_id, idp_subject) DO UPDATE
         SET email = EXCLUDED.email, given_name = EXCLUDED.given_name, surname = EXCLUDED.surname,
             display_name = EXCLUDED.display_name, department = EXCLUDED.department, last_login_at = now()
       RETURNING ${COLUMNS}`,
      [
        tenantId,
        identity.subject,
        identity.email ?? null,
        identity.givenName ?? null,
        identity.surname ?? null,
        identity.displayName ?? displayNameOf(identity),
        identity.department ?? null,
      ],
    );
    return toUser(rows[0]!);
  }

  /** Everybody of one tenant, with their last sign-in: the people an access review (SV-7.3) lists. */
  async listForTenant(tenantId: string): Promise<Array<User & { readonly lastLoginAt: Date | null }>> {
    const rows = await this.tenantRows.query<UserRow & { last_login_at: Date | null }>(
      tenantId,
      `SELECT ${COLUMNS}, last_login_at FROM users WHERE tenant_id = $1 ORDER BY lower(coalesce(display_name, email, '')), id`,
      [tenantId],
    );
    return rows.map((row) => ({ ...toUser(row), lastLoginAt: row.last_login_at }));
  }

  async findById(tenantId: string, userId: string): Promise<User | undefined> {
    const rows = await this.tenantRows.query<UserRow>(tenantId, `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2`, [tenantId, userId]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }
}

function displayNameOf(identity: FederatedIdentity): string | null {
  const name = [identity.givenName, identity.surname].filter(Boolean).join(' ');
  return name || identity.email || null;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    idpSubject: row.idp_subject,
    email: row.email,
    givenName: row.given_name,
    surname: row.surname,
    displayName: row.display_name,
    department: row.department,
  };
}
