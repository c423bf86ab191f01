import type { TenantScope } from '@veilig/tenancy';
import { canonicalJson } from '../chain/canonical-json.js';
import { SYSTEM_ACTOR_ID, type AuditEvent, type AuditEventInput, type ChainedAuditEvent } from '../model/audit-event.js';
import { buildAuditEvent } from './build-audit-event.js';
import { inTenantContext } from './in-tenant-context.js';

/**
 * Only the canonical text is sent: the BEFORE INSERT trigger derives every other column from it
 * and assigns sequence and hashes, so the stored row cannot disagree with what was hashed.
 */
const INSERT_EVENT = `
  INSERT INTO audit_events (canonical) VALUES ($1)
  RETURNING sequence, encode(hash, 'hex') AS hash, encode(previous_hash, 'hex') AS previous_hash`;

const INSERT_EVENT_AT_COMMIT = 'INSERT INTO audit_events (canonical) VALUES ($1)';

interface InsertedRow {
  readonly sequence: string;
  readonly hash: string;
  readonly previous_hash: string;
}

/**
 * Records audit events durably, in the same transaction as the change they describe (SE-3.2):
 * inside an open `scope.run` the insert joins that transaction and commits or rolls back with
 * it; otherwise it is a one-statement transaction of its own (one round trip). Every string is
 * sanitised first (SE-6.1). Construct it with the TenantScope the feature code uses, since an
 * open transaction belongs to one TenantScope.
 */
export class AuditWriter {
  constructor(readonly scope: TenantScope) {}

  /**
   * Validates, sanitises and stores `input`. Inside a `scope.run` the row goes out with that
   * transaction's COMMIT (no round trip of its own, and the chain head is locked only for the
   * commit); the work has not returned before it is stored. Outside one it is stored at once.
   */
  async record(input: AuditEventInput): Promise<AuditEvent> {
    const event = buildAuditEvent(input);
    await inTenantContext(event.tenantId, event.actor.userId ?? SYSTEM_ACTOR_ID, () => this.scope.atCommit(INSERT_EVENT_AT_COMMIT, [canonicalJson(event)]));
    return event;
  }

  /** As `record`, with the chain position the database gave the event. */
  async recordChained(input: AuditEventInput): Promise<ChainedAuditEvent> {
    const event = buildAuditEvent(input);
    const [row] = await inTenantContext(event.tenantId, event.actor.userId ?? SYSTEM_ACTOR_ID, () =>
      this.scope.query<InsertedRow>(INSERT_EVENT, [canonicalJson(event)]),
    );
    return { event, sequence: Number(row!.sequence), hash: row!.hash, previousHash: row!.previous_hash };
  }
}
