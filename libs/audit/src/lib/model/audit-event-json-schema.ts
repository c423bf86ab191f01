import { z } from 'zod';
import { auditEventSchema } from './audit-event.schema.js';

/**
 * The JSON Schema (2020-12) of the stored and forwarded event, as committed in
 * docs/audit-event.schema.json for SIEM integrators. Generated from the zod schema that the
 * writer's output satisfies, so the document cannot drift from the code.
 */
export function auditEventJsonSchema(): Record<string, unknown> {
  const { $schema, $id, title, description, ...rest } = z.toJSONSchema(auditEventSchema);
  return { $schema, $id, title, description, ...rest };
}
