import { SYSTEM_ACTOR_ID, type AuditEvent } from '../model/audit-event.js';
import type { AuditWriter } from '../writer/audit-writer.js';
import { inTenantContext } from '../writer/in-tenant-context.js';

export interface AuditPurgeResult {
  readonly purgedCount: number;
  /** Sequence of the last purged event, the chain's new anchor; null when nothing had expired. */
  readonly upToSequence: number | null;
  /** The `audit.retention.purged` event, recorded only when events were purged. */
  readonly event: AuditEvent | null;
}

interface PurgeRow {
  readonly purged_count: string;
  readonly up_to_sequence: string | null;
  readonly retention_days: number;
}

/**
 * Deletes a tenant's audit events older than its retention period (audit_retention, default
 * 365 days, at least 180; SE-3.3) through the database's audit_purge_expired(), the only path the
 * append-only trigger lets a DELETE through, and records the purge as an
 * `audit.retention.purged` event in the same transaction: a purge that is not audited does not
 * happen. For a scheduled job; runs as the system actor.
 */
export async function purgeExpiredAuditEvents(writer: AuditWriter, tenantId: string): Promise<AuditPurgeResult> {
  return inTenantContext(tenantId, SYSTEM_ACTOR_ID, () =>
    writer.scope.run(async () => {
      const [row] = await writer.scope.query<PurgeRow>('SELECT purged_count, up_to_sequence, retention_days FROM audit_purge_expired()');
      const purgedCount = Number(row!.purged_count);
      if (purgedCount === 0) return { purgedCount, upToSequence: null, event: null };
      const upToSequence = Number(row!.up_to_sequence);
      const event = await writer.record({
        tenantId,
        action: 'audit.retention.purged',
        outcome: 'success',
        actor: { type: 'system' },
        details: { purgedCount, upToSequence, retentionDays: row!.retention_days },
      });
      return { purgedCount, upToSequence, event };
    }),
  );
}
