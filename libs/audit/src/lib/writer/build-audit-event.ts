import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AuditEventError } from '../model/audit-errors.js';
import { AUDIT_SCHEMA_VERSION, PLATFORM_TENANT_ID, type AuditEvent } from '../model/audit-event.js';
import { auditEventInputSchema } from '../model/audit-event.schema.js';
import { sanitiseAuditEvent } from './sanitise-audit-event.js';

/**
 * Turns what a caller passes into the document that is stored, chained and forwarded: refused
 * with AuditEventError unless it has the shape of AuditEventInput and a known action, then given
 * its id and time, and sanitised.
 */
export function buildAuditEvent(input: unknown): AuditEvent {
  const parsed = auditEventInputSchema.safeParse(input);
  if (!parsed.success) throw new AuditEventError(`Audit event refused:\n${z.prettifyError(parsed.error)}`);
  const { tenantId, occurredAt, ...fields } = parsed.data;
  return sanitiseAuditEvent({
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id: randomUUID(),
    tenantId: (tenantId ?? PLATFORM_TENANT_ID).toLowerCase(),
    occurredAt: (occurredAt ?? new Date()).toISOString(),
    ...fields,
    actor: fields.actor.userId ? { ...fields.actor, userId: fields.actor.userId.toLowerCase() } : fields.actor,
  });
}
