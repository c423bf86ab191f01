import { randomUUID } from 'node:crypto';
import { queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../secret-box.js';

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
 */
export class SsoConnectionRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

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
    const rows = await queryRows<ConnectionRow>(
      this.dataSource,
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

  async findById(id: string): Promise<SsoConnection | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await queryRows<ConnectionRow>(this.dataSource, `SELECT ${COLUMNS} FROM sso_connections WHERE id = $1`, [id]);
    return rows[0] ? toConnection(rows[0]) : undefined;
  }

  async listForTenant(tenantId: string): Promise<SsoConnection[]> {
    const rows = await queryRows<ConnectionRow>(this.dataSource, `SELECT ${COLUMNS} FROM sso_connections WHERE tenant_id = $1 ORDER BY name`, [
      tenantId,
    ]);
    return rows.map(toConnection);
  }

  async secretsOf(connection: SsoConnection): Promise<SsoSecrets> {
    const rows = await queryRows<{ secrets_sealed: string }>(this.dataSource, 'SELECT secrets_sealed FROM sso_connections WHERE id = $1', [
      connection.id,
    ]);
    if (!rows[0]) throw new Error(`no SSO connection ${connection.id}`);
    return JSON.parse(this.secretBox.open(rows[0].secrets_sealed, purpose(connection.id)).toString('utf8')) as SsoSecrets;
  }

  /** Also marks the metadata as refreshed; `updated_at` moves only when the settings differ. */
  async updateSettings(id: string, settings: SsoSettings): Promise<SsoConnection> {
    const rows = await queryRows<ConnectionRow>(
      this.dataSource,
      `UPDATE sso_connections
          SET settings = $2,
              updated_at = CASE WHEN settings IS DISTINCT FROM $2::jsonb THEN now() ELSE updated_at END,
              metadata_refreshed_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, JSON.stringify(settings)],
    );
    if (!rows[0]) throw new Error(`no SSO connection ${id}`);
    return toConnection(rows[0]);
  }

  /** Enabled SAML connections with a metadata URL whose metadata was last read before `olderThan`, or never. */
  async listDueForMetadataRefresh(olderThan: Date): Promise<SsoConnection[]> {
    const rows = await queryRows<ConnectionRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM sso_connections
        WHERE protocol = 'saml' AND metadata_url IS NOT NULL AND enabled
          AND (metadata_refreshed_at IS NULL OR metadata_refreshed_at < $1)
        ORDER BY metadata_refreshed_at NULLS FIRST, id`,
      [olderThan],
    );
    return rows.map(toConnection);
  }

  async remove(tenantId: string, name: string): Promise<SsoConnection | undefined> {
    const rows = await queryRows<ConnectionRow>(this.dataSource, `DELETE FROM sso_connections WHERE tenant_id = $1 AND name = $2 RETURNING ${COLUMNS}`, [
      tenantId,
      name,
    ]);
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
