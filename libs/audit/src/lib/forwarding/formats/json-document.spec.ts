import { describe, expect, it } from 'vitest';
import type { ChainedAuditEvent } from '../../model/audit-event.js';
import { auditPayload } from './audit-payload.js';
import { formatJsonDocument } from './json-document.js';

const chained: ChainedAuditEvent = {
  event: {
    schemaVersion: 1,
    id: '3f1c9e2d-0a4b-4c5d-9e6f-708192a3b4c5',
    tenantId: '7d4e2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6',
    occurredAt: '2025-03-04T05:06:07.089Z',
    action: 'auth.logon',
    outcome: 'failure',
    actor: { type: 'user', email: 'jan@example.nl' },
    reason: 'line 1\nline 2',
  },
  sequence: 7,
  hash: 'ab'.repeat(32),
  previousHash: 'cd'.repeat(32),
};

describe('JSON payload', () => {
  it('[SV-7.9] is the stored event with its sequence and hash, on one line', () => {
    expect(formatJsonDocument(chained)).toBe(
      '{"schemaVersion":1,"id":"3f1c9e2d-0a4b-4c5d-9e6f-708192a3b4c5","tenantId":"7d4e2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6",' +
        '"occurredAt":"2025-03-04T05:06:07.089Z","action":"auth.logon","outcome":"failure","actor":{"type":"user","email":"jan@example.nl"},' +
        `"reason":"line 1\\nline 2","sequence":7,"hash":"${'ab'.repeat(32)}"}`,
    );
  });

  it('gives a CEF line as a JSON string where a JSON value is needed', () => {
    const cef = auditPayload('cef', { productVersion: '1' });
    expect(JSON.parse(cef.jsonValue(chained))).toBe(cef.text(chained));
    const json = auditPayload('json', { productVersion: '1' });
    expect(json.jsonValue(chained)).toBe(formatJsonDocument(chained));
  });
});
