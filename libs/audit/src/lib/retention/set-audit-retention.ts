import type { AuditActor, AuditEvent } from '../model/audit-event.js';
import { SYSTEM_ACTOR_ID } from '../model/audit-event.js';
import type { AuditWriter } from '../writer/audit-writer.js';
import { inTenantContext } from '../writer/in-tenant-context.js';

/** Fewer days than this are refused here and by the table's CHECK: SE-3.3 needs the logs kept. */
export const MIN_AUDIT_RETENTION_DAYS = 180;
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
const MAX_AUDIT_RETENTION_DAYS = 36_500;

export class AuditRetentionError extends Error {
  override readonly name = 'AuditRetentionError';
}

export interface AuditRetentionChange {
  readonly tenantId: string;
  readonly keepDays: number;
  /** Who changes it, recorded in the `config.changed` event. */
  readonly actor: AuditActor;
}

/** Sets how many days a tenant keeps its audit events, and records the change in the same transaction. */
export async function setAuditRetention(writer: AuditWriter, change: AuditRetentionChange): Promise<AuditEvent> {
  const { tenantId, keepDays, actor } = change;
  if (!Number.isInteger(keepDays) || keepDays < MIN_AUDIT_RETENTION_DAYS || keepDays > MAX_AUDIT_RETENTION_DAYS) {
    throw new AuditRetentionError(`Audit retention is a whole number of days from ${MIN_AUDIT_RETENTION_DAYS} to ${MAX_AUDIT_RETENTION_DAYS}, not ${keepDays}.`);
  }
  return inTenantContext(tenantId, actor.userId ?? SYSTEM_ACTOR_ID, () =>
    writer.scope.run(async () => {
      const [previous] = await writer.scope.query<{ keep_days: number }>('SELECT keep_days FROM audit_retention WHERE tenant_id = $1', [tenantId]);
      await writer.scope.query(
        `INSERT INTO audit_retention (tenant_id, keep_days) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET keep_days = EXCLUDED.keep_days, updated_at = now()`,
        [tenantId, keepDays],
      );
      return writer.record({
        tenantId,
        action: 'config.changed',
        outcome: 'success',
        actor,
        target: { type: 'audit-retention', id: tenantId },
        details: { setting: 'audit.retentionDays', previous: previous?.keep_days ?? DEFAULT_AUDIT_RETENTION_DAYS, value: keepDays },
      });
    }),
  );
}
