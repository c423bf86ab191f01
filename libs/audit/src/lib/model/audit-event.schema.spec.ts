import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from './audit-actions.js';
import { auditEventJsonSchema } from './audit-event-json-schema.js';
import { AUDIT_EVENT_SCHEMA_ID } from './audit-event.schema.js';

describe('audit event model', () => {
  it('[SV-7.9] names an action for logon, logoff, failed and rejected sign-ins, denied access, views and mutations', () => {
    for (const action of ['auth.logon', 'auth.logoff', 'auth.failed', 'auth.rejected', 'access.denied', 'data.viewed', 'data.created', 'data.updated', 'data.deleted']) {
      expect(AUDIT_ACTIONS).toHaveProperty([action]);
    }
  });

  it('[SE-3.2] documents every action of the taxonomy in one line', () => {
    expect(Object.keys(AUDIT_ACTIONS)).toHaveLength(35);
    for (const description of Object.values(AUDIT_ACTIONS)) expect(description).toMatch(/^[A-Z][^\n]{9,}\.$/);
  });

  it('[SE-3.2] commits docs/audit-event.schema.json exactly as the zod schema generates it (run vitest -u to regenerate)', async () => {
    const schema = auditEventJsonSchema();
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: AUDIT_EVENT_SCHEMA_ID });
    expect(AUDIT_EVENT_SCHEMA_ID).toMatch(/:1$/);
    await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot('../../../../../docs/audit-event.schema.json');
  });
});
