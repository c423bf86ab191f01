import { queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';

export type AuthMode = 'federated' | 'local-2fa';
export type TenantStatus = 'active' | 'suspended' | 'terminated';

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly authMode: AuthMode;
  readonly status: TenantStatus;
  readonly emailDomains: readonly string[];
  readonly ipAllowList: readonly string[] | null;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  auth_mode: AuthMode;
  status: TenantStatus;
  email_domains: string[];
  ip_allow_list: string[] | null;
}

const COLUMNS = 'id, slug, name, auth_mode, status, email_domains, ip_allow_list::text[] AS ip_allow_list';

export class TenantDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async create(tenant: { slug: string; name: string; authMode: AuthMode; emailDomains?: readonly string[] }): Promise<Tenant> {
    const rows = await queryRows<TenantRow>(this.dataSource, 
      `INSERT INTO tenants (slug, name, auth_mode, email_domains) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [tenant.slug, tenant.name, tenant.authMode, (tenant.emailDomains ?? []).map((domain) => domain.toLowerCase())],
    );
    return toTenant(rows[0]!);
  }

  async findBySlug(slug: string): Promise<Tenant | undefined> {
    const rows = await queryRows<TenantRow>(this.dataSource, `SELECT ${COLUMNS} FROM tenants WHERE slug = $1`, [slug.toLowerCase()]);
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async findById(id: string): Promise<Tenant | undefined> {
    const rows = await queryRows<TenantRow>(this.dataSource, `SELECT ${COLUMNS} FROM tenants WHERE id = $1`, [id]);
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  /** Home realm discovery by the domain of an e-mail address. */
  async findByEmailDomain(domain: string): Promise<Tenant | undefined> {
    const rows = await queryRows<TenantRow>(this.dataSource, 
      `SELECT ${COLUMNS} FROM tenants WHERE $1 = ANY(email_domains) AND status = 'active' ORDER BY created_at LIMIT 1`,
      [domain.toLowerCase()],
    );
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async setEmailDomains(id: string, domains: readonly string[]): Promise<Tenant> {
    const rows = await queryRows<TenantRow>(this.dataSource, `UPDATE tenants SET email_domains = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [
      id,
      domains.map((domain) => domain.toLowerCase()),
    ]);
    if (!rows[0]) throw new Error(`no tenant ${id}`);
    return toTenant(rows[0]);
  }

  /** `null` lifts the restriction. PostgreSQL's cidr type refuses a malformed range. */
  async setIpAllowList(id: string, ranges: readonly string[] | null): Promise<Tenant> {
    const rows = await queryRows<TenantRow>(this.dataSource, `UPDATE tenants SET ip_allow_list = $2::cidr[] WHERE id = $1 RETURNING ${COLUMNS}`, [
      id,
      ranges === null ? null : [...ranges],
    ]);
    if (!rows[0]) throw new Error(`no tenant ${id}`);
    return toTenant(rows[0]);
  }

  /**
   * Suspends, reactivates or terminates a tenant; a suspended or terminated tenant's sessions stop
   * at their next request. Termination is final: undefined when the tenant is terminated already
   * (or does not exist). Callers audit it.
   */
  async setStatus(id: string, status: TenantStatus): Promise<Tenant | undefined> {
    const rows = await queryRows<TenantRow>(
      this.dataSource,
      `UPDATE tenants SET status = $2 WHERE id = $1 AND status <> 'terminated' RETURNING ${COLUMNS}`,
      [id, status],
    );
    return rows[0] && toTenant(rows[0]);
  }

  /** Refused by the database while users of the current mode exist (SE-7.2). Callers audit it. */
  async setAuthMode(id: string, authMode: AuthMode): Promise<Tenant> {
    const rows = await queryRows<TenantRow>(this.dataSource, `UPDATE tenants SET auth_mode = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, authMode]);
    if (!rows[0]) throw new Error(`no tenant ${id}`);
    return toTenant(rows[0]);
  }
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    authMode: row.auth_mode,
    status: row.status,
    emailDomains: row.email_domains,
    ipAllowList: row.ip_allow_list,
  };
}
