import { z } from 'zod';
import { AUDIT_ACTIONS, type AuditAction } from './audit-actions.js';
import { AUDIT_SCHEMA_VERSION } from './audit-event.js';

/** `$id` of docs/audit-event.schema.json; the trailing number is AUDIT_SCHEMA_VERSION. */
export const AUDIT_EVENT_SCHEMA_ID = `urn:veilig:schema:audit-event:${AUDIT_SCHEMA_VERSION}`;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Detail keys are plain names: a key is never user input, and never needs escaping in a SIEM. */
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_. -]{0,63}$/;
const MAX_DETAILS = 64;
const MAX_LIST_ITEMS = 100;

const uuid = z.string().regex(UUID, 'must be a UUID');
const text = z.string();
const actions = (Object.keys(AUDIT_ACTIONS) as AuditAction[]).map((name) => z.literal(name).describe(AUDIT_ACTIONS[name]));

const actor = z.strictObject({
  type: z.enum(['user', 'operator', 'system']),
  userId: uuid.optional().describe('Our user UUID.'),
  idpSubject: text.optional().describe('Entra oid / IdP subject.'),
  displayName: text.optional(),
  email: text.optional(),
  operator: text.optional().describe('OS user or declarations file name for CLI/operator actions.'),
});

const device = z.strictObject({ ip: text.optional(), userAgent: text.optional(), deviceId: text.optional() });
const target = z.strictObject({ type: text.min(1), id: text.optional() });
const detailValue = z.union([text, z.number(), z.boolean(), z.null(), z.array(text).max(MAX_LIST_ITEMS)]);
const details = z
  .record(z.string().regex(DETAIL_KEY), detailValue, {
    error: (issue) =>
      issue.code === 'invalid_key' ? 'detail keys are names: a letter, then letters, digits, spaces, "_", "." or "-" (at most 64)' : undefined,
  })
  .refine((value) => Object.keys(value).length <= MAX_DETAILS, `at most ${MAX_DETAILS} details`);

/** Fields an event has both as input and as stored document. */
const common = {
  // A union of described literals rather than an enum, so that the JSON Schema documents each action.
  action: z.union(actions as [(typeof actions)[number], ...typeof actions], {
    error: (issue) => `unknown audit action ${JSON.stringify(issue.input)}: use one of AUDIT_ACTIONS`,
  }),
  outcome: z.enum(['success', 'failure', 'denied']),
  actor,
  sessionId: text.optional().describe('Public session id, never the cookie token.'),
  device: device.optional(),
  target: target.optional(),
  reason: text.optional(),
  requestId: text.optional(),
  details: details.optional(),
};

/** What AuditWriter accepts: anything else is refused with AuditEventError. */
export const auditEventInputSchema = z.strictObject({
  tenantId: uuid.nullable(),
  ...common,
  occurredAt: z
    .date()
    .refine((date) => date.getUTCFullYear() >= 1970 && date.getUTCFullYear() <= 9999, 'occurredAt must lie between the years 1970 and 9999')
    .optional(),
});

/** The stored, chained and forwarded document; docs/audit-event.schema.json is generated from it. */
export const auditEventSchema = z
  .strictObject({
    schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
    id: uuid.describe('Stable across redelivery: a SIEM deduplicates on it.'),
    tenantId: uuid.describe('00000000-0000-0000-0000-000000000000 for platform events without a tenant.'),
    occurredAt: z.iso.datetime({ precision: 3 }).describe('ISO 8601, UTC, milliseconds.'),
    ...common,
  })
  .meta({
    $id: AUDIT_EVENT_SCHEMA_ID,
    title: 'Veilig audit event',
    description:
      'One audit event: who (actor) did what (action, target) from which device, with what result (outcome) and when (occurredAt). ' +
      'Strings are sanitised: secrets are replaced by "[redacted]", control characters are escaped as \\uXXXX and long strings are cut.',
  });
