import { randomUUID } from 'node:crypto';
import type { AuditEvent, ChainedAuditEvent } from '../../model/audit-event.js';

/**
 * Chained events as the database would hand them to a transport, for transport tests that need
 * no database. Hashes are made up: transports pass them on, they do not check them.
 */
export function sampleChainedEvents(count: number, overrides: Partial<AuditEvent> = {}, firstSequence = 1): ChainedAuditEvent[] {
  const tenantId = overrides.tenantId ?? randomUUID();
  return Array.from({ length: count }, (_, index) => {
    const sequence = firstSequence + index;
    const event: AuditEvent = {
      schemaVersion: 1,
      id: randomUUID(),
      tenantId,
      occurredAt: new Date(Date.UTC(2025, 2, 4, 5, 6, 7, sequence % 1000)).toISOString(),
      action: 'data.viewed',
      outcome: 'success',
      actor: { type: 'user', userId: randomUUID(), email: 'jan@example.nl', displayName: 'Jan de Vries' },
      device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0' },
      target: { type: 'zaak', id: `Z-${sequence}` },
      ...overrides,
    };
    return { event, sequence, hash: sequence.toString(16).padStart(64, '0'), previousHash: (sequence - 1).toString(16).padStart(64, '0') };
  });
}
