import { randomUUID } from 'node:crypto';
import type { SecretBox } from '@veilig/identity';
import { TenantContext, type TenantScope } from '@veilig/tenancy';
import {
  AuditDestinationError,
  parseAuditDestination,
  type AuditDestinationDefinition,
  type AuditDestinationFormat,
  type AuditDestinationInput,
  type AuditDestinationKind,
  type AuditDestinationSettings,
} from './audit-destination-settings.js';

/** How far forwarding got for one destination, for the customer to see beside it. */
export interface AuditDeliveryStatus {
  /** Every event of the tenant up to this sequence has been accepted by the destination. */
  readonly deliveredSequence: number;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  readonly lastError: string | null;
  /** null while the destination is disabled. */
  readonly nextAttemptAt: Date | null;
}

/** A destination as listed: its secrets never leave the repository. */
export interface AuditDestination {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly kind: AuditDestinationKind;
  readonly format: AuditDestinationFormat;
  readonly settings: AuditDestinationSettings;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly delivery: AuditDeliveryStatus;
}

/** What the forwarder needs to open a transport: the checked definition with opened secrets. */
export interface DeliverableAuditDestination {
  readonly id: string;
  readonly enabled: boolean;
  readonly definition: AuditDestinationDefinition;
  /** Changes whenever anything the transport is built from changes. */
  readonly version: string;
}

interface DestinationRow {
  id: string;
  tenant_id: string;
  name: string;
  kind: AuditDestinationKind;
  format: AuditDestinationFormat;
  settings: AuditDestinationSettings;
  enabled: boolean;
  created_at: Date;
  delivered_sequence: string;
  attempts: number;
  last_error: string | null;
  /** node-postgres reads 'infinity' (a parked destination) as the number Infinity. */
  next_attempt_at: Date | number;
}

const SELECT_DESTINATIONS = `
  SELECT d.id, d.tenant_id, d.name, d.kind, d.format, d.settings, d.enabled, d.created_at,
         c.delivered_sequence, c.attempts, c.last_error, c.next_attempt_at
    FROM audit_destinations d
    JOIN audit_delivery_cursors c ON c.destination_id = d.id AND c.tenant_id = d.tenant_id`;

const UNIQUE_VIOLATION = '23505';

/**
 * The current tenant's SIEM destinations (SE-3.2). Every method works in the open TenantContext:
 * the tenant is the session's, never a parameter, and row-level security on audit_destinations
 * hides every other tenant's. Secrets (a bearer or HEC token, a client key) are sealed with the
 * SecretBox under the destination's id, so a sealed value copied to another row does not open.
 * A new destination receives the tenant's whole audit trail, from its first event on.
 *
 * Destinations and their cursors are control plane, like SSO connections: in dedicated mode they
 * stay in the shared database, so build the repository on a TenantScope of the shared data
 * source, not on one routed by TenantDatabaseRouter.
 */
export class AuditDestinationRepository {
  constructor(
    private readonly scope: TenantScope,
    private readonly secretBox: SecretBox,
  ) {}

  /** Checks the description (AuditDestinationError names every problem) and adds the destination, enabled. */
  async add(input: AuditDestinationInput): Promise<AuditDestination> {
    const definition = parseAuditDestination(input);
    const { tenantId } = TenantContext.current();
    const id = randomUUID();
    const sealed = this.secretBox.seal(JSON.stringify(definition.secrets), purpose(id));
    try {
      await this.scope.run(async () => {
        await this.scope.query('INSERT INTO audit_destinations (id, name, kind, format, settings, secrets_sealed) VALUES ($1, $2, $3, $4, $5, $6)', [
          id,
          definition.name,
          definition.kind,
          definition.format,
          JSON.stringify(definition.settings),
          sealed,
        ]);
        await this.scope.query('INSERT INTO audit_delivery_cursors (destination_id, tenant_id) VALUES ($1, $2)', [id, tenantId]);
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new AuditDestinationError(`an audit destination named "${definition.name}" already exists`);
      throw error;
    }
    return (await this.find(id))!;
  }

  async list(): Promise<AuditDestination[]> {
    const rows = await this.scope.query<DestinationRow>(`${SELECT_DESTINATIONS} ORDER BY d.name`);
    return rows.map(toDestination);
  }

  async find(id: string): Promise<AuditDestination | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.scope.query<DestinationRow>(`${SELECT_DESTINATIONS} WHERE d.id = $1`, [id]);
    return rows[0] && toDestination(rows[0]);
  }

  /** Removes the destination and its delivery cursor; false when the tenant has no such destination. */
  async remove(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.scope.query('DELETE FROM audit_destinations WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  /**
   * A disabled destination is parked: the forwarder no longer claims it and its cursor stays
   * where it was, so enabling it again delivers everything recorded meanwhile. Enabling also
   * drops a lease, so a forwarder that saw the destination disabled cannot park it again.
   */
  async setEnabled(id: string, enabled: boolean): Promise<AuditDestination | undefined> {
    if (!isUuid(id)) return undefined;
    const { tenantId } = TenantContext.current();
    const changed = await this.scope.run(async () => {
      const rows = await this.scope.query('UPDATE audit_destinations SET enabled = $2 WHERE id = $1 RETURNING id', [id, enabled]);
      if (rows.length === 0) return false;
      await this.scope.query(
        enabled
          ? 'UPDATE audit_delivery_cursors SET next_attempt_at = now(), attempts = 0, leased_until = NULL, leased_by = NULL WHERE destination_id = $1 AND tenant_id = $2'
          : "UPDATE audit_delivery_cursors SET next_attempt_at = 'infinity' WHERE destination_id = $1 AND tenant_id = $2",
        [id, tenantId],
      );
      return true;
    });
    return changed ? this.find(id) : undefined;
  }

  /** For the forwarder, in the destination's tenant context: the definition checked again, secrets opened. */
  async findForDelivery(id: string): Promise<DeliverableAuditDestination | undefined> {
    const rows = await this.scope.query<Pick<DestinationRow, 'id' | 'name' | 'kind' | 'format' | 'settings' | 'enabled'> & { secrets_sealed: string }>(
      'SELECT id, name, kind, format, settings, enabled, secrets_sealed FROM audit_destinations WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const secrets: unknown = JSON.parse(this.secretBox.open(row.secrets_sealed, purpose(row.id)).toString('utf8'));
    const definition = parseAuditDestination({ name: row.name, kind: row.kind, format: row.format, settings: row.settings, secrets });
    return {
      id: row.id,
      enabled: row.enabled,
      definition,
      version: JSON.stringify([row.kind, row.format, row.settings, row.secrets_sealed]),
    };
  }
}

function purpose(destinationId: string): string {
  return `audit-destination:${destinationId}`;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function toDestination(row: DestinationRow): AuditDestination {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    kind: row.kind,
    format: row.format,
    settings: row.settings,
    enabled: row.enabled,
    createdAt: row.created_at,
    delivery: {
      deliveredSequence: Number(row.delivered_sequence),
      attempts: row.attempts,
      lastError: row.last_error,
      nextAttemptAt: row.next_attempt_at instanceof Date ? row.next_attempt_at : null,
    },
  };
}
