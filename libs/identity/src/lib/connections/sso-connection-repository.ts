import { randomUUID } from 'node:crypto';
import { queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../secret-box.js';
import { IdentityTenantRows } from '../tenant-rows.js';

export type SsoProtocol = 'saml' | 'oidc';

/** Public settings of a connection; anything secret lives in `secrets`, sealed at rest. */
export type SsoSettings = Readonly<Record<string, unknown>>;
export type SsoSecrets = Readonly<Record<string, string>>;

export interface SsoConnection {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly protocol: SsoProtocol;
  readonly settings: SsoSettings;
  readonly metadataUrl: string | null;
  readonly enabled: boolean;
}

interface ConnectionRow {
  id: string;
  tenant_id: string;
  name: string;
  protocol: SsoProtocol;
  settings: SsoSettings;
  metadata_url: string | null;
  enabled: boolean;
}

const COLUMNS = 'id, tenant_id, name, protocol, settings, metadata_url, enabled';

/**
 * SSO connections per tenant (SE-7.1). Secrets (SP signing keys, OIDC client keys or secrets) are
 * sealed with the SecretBox under the connection's id, so a sealed value copied to another
 * connection does not open.
 *
 * The table is under row-level security. The two reads made before the tenant is known, a
 * connection by the id in the IdP's callback URL and the metadata refresher's work across
 * tenants, go through SECURITY DEFINER lookups that never return the secrets; everything else
 * runs in the connection's tenant.
 */
export class SsoConnectionRepository {
  private readonly tenantRows: IdentityTenantRows;

  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {
    this.tenantRows = new IdentityTenantRows(dataSource);
  }

  async create(connection: {
    /** Normally generated; given only where an IdP must know it before the connection exists. */
    id?: string;
    tenantId: string;
    name: string;
    protocol: SsoProtocol;
    settings: SsoSettings;
    secrets: SsoSecrets;
    metadataUrl?: string;
  }): Promise<SsoConnection> {
    const id = connection.id ?? randomUUID();
    const rows = await this.tenantRows.query<ConnectionRow>(
      connection.tenantId,
      `INSERT INTO sso_connections (id, tenant_id, name, protocol, settings, secrets_sealed, metadata_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        id,
        connection.tenantId,
        connection.name,
        connection.protocol,
        JSON.stringify(connection.settings),
        this.secretBox.seal(JSON.stringify(connection.secrets), purpose(id)),
        connection.metadataUrl ?? null,
      ],
    );
    return toConnection(rows[0]!);
  }

  /** By the id in an IdP's callback URL (or a logout state): before the tenant is known. */
  async findById(id: string): Promise<SsoConnection | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await queryRows<ConnectionRow>(this.dataSource, 'SELECT * FROM identity_sso_connection($1)', [id]);
    return rows[0] ? toConnection(rows[0]) : undefined;
  }

  async listForTenant(tenantId: string): Promise<SsoConnection[]> {
    const rows = await this.tenantRows.query<ConnectionRow>(tenantId, `SELECT ${COLUMNS} FROM sso_connections WHERE tenant_id = $1 ORDER BY name`, [
      tenantId,
    ]);
    return rows.map(toConnection);
  }

  async secretsOf(connection: SsoConnection): Promise<SsoSecrets> {
    const rows = await this.tenantRows.query<{ secrets_sealed: string }>(
      connection.tenantId,
      'SELECT secrets_sealed FROM sso_connections WHERE tenant_id = $1 AND id = $2',
      [connection.tenantId, connection.id],
    );
    if (!rows[0]) throw new Error(`no SSO connection ${connection.id}`);
    return JSON.parse(this.secretBox.open(rows[0].secrets_sealed, purpose(connection.id)).toString('utf8')) as SsoSecrets;
  }

  /**
   * Also marks the metadata as refreshed; `updated_at` moves only when the settings differ. Takes
   * the connection as read before, for its tenant, in whose context the update runs.
   */
  async updateSettings(connection: Pick<SsoConnection, 'id' | 'tenantId'>, settings: SsoSettings): Promise<SsoConnection> {
    const rows = await this.tenantRows.query<ConnectionRow>(
      connection.tenantId,
      `UPDATE sso_connections
          SET settings = $3,
              updated_at = CASE WHEN settings IS DISTINCT FROM $3::jsonb THEN now() ELSE updated_at END,
              metadata_refreshed_at = now()
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [connection.tenantId, connection.id, JSON.stringify(settings)],
    );
    if (!rows[0]) throw new Error(`no SSO connection ${connection.id}`);
    return toConnection(rows[0]);
  }

  /**
   * Enabled SAML connections with a metadata URL whose metadata was last read before `olderThan`,
   * or never, of every tenant: the metadata refresher's work, read before any tenant is chosen.
   */
  async listDueForMetadataRefresh(olderThan: Date): Promise<SsoConnection[]> {
    const rows = await queryRows<ConnectionRow>(this.dataSource, 'SELECT * FROM identity_sso_connections_due_for_metadata_refresh($1)', [olderThan]);
    return rows.map(toConnection);
  }

  async remove(tenantId: string, name: string): Promise<SsoConnection | undefined> {
    const rows = await this.tenantRows.query<ConnectionRow>(
      tenantId,
      `DELETE FROM sso_connections WHERE tenant_id = $1 AND name = $2 RETURNING ${COLUMNS}`,
      [tenantId, name],
    );
    return rows[0] ? toConnection(rows[0]) : undefined;
  }
}

function purpose(connectionId: string): string {
  return `sso-connection:${connectionId}`;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function toConnection(row: ConnectionRow): SsoConnection {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    protocol: row.protocol,
    settings: row.settings,
    metadataUrl: row.metadata_url,
    enabled: row.enabled,
  };
}
