import type { ChainedAuditEvent } from '../../model/audit-event.js';

/**
 * Carries batches of audit events to one SIEM destination. `deliver` resolves only once the
 * receiver accepted the whole batch as far as the protocol can tell, and rejects otherwise; the
 * caller then delivers the same batch again, so receivers see every event at least once and may
 * see one twice (the event id is stable: that is how a SIEM deduplicates). After a failure the
 * next call opens a new connection. Calls do not overlap: the forwarder awaits each one.
 */
export interface AuditTransport {
  deliver(events: readonly ChainedAuditEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** A batch was not accepted. The message is short and holds no secret: it ends up in `last_error`. */
export class AuditTransportError extends Error {
  override readonly name = 'AuditTransportError';
}
