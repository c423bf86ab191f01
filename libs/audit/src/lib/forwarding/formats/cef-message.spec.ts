import { describe, expect, it } from 'vitest';
import type { AuditEvent, ChainedAuditEvent } from '../../model/audit-event.js';
import { escapeExtensionValue, escapeHeader, formatCefMessage } from './cef-message.js';

const TENANT = '7d4e2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const EVENT_ID = '3f1c9e2d-0a4b-4c5d-9e6f-708192a3b4c5';
const USER = '11111111-2222-4333-8444-555555555555';
const HASH = 'ab'.repeat(32);

function chained(overrides: Partial<AuditEvent> = {}): ChainedAuditEvent {
  const event: AuditEvent = {
    schemaVersion: 1,
    id: EVENT_ID,
    tenantId: TENANT,
    occurredAt: '2025-03-04T05:06:07.089Z',
    action: 'auth.logon',
    outcome: 'success',
    actor: { type: 'user', userId: USER, email: 'jan@example.nl', displayName: 'Jan' },
    device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0' },
    ...overrides,
  };
  return { event, sequence: 42, hash: HASH, previousHash: 'cd'.repeat(32) };
}

describe('CEF message', () => {
  it('[SV-7.9] maps the event to the CEF header and standard extension keys', () => {
    expect(formatCefMessage(chained(), { productVersion: '1.2.3' })).toBe(
      'CEF:0|Veilig|Veilig|1.2.3|auth.logon|auth.logon success|3|' +
        `rt=1741064767089 act=auth.logon outcome=success suser=jan@example.nl suid=${USER} src=192.0.2.10 ` +
        `requestClientApplication=Mozilla/5.0 externalId=${EVENT_ID} cs1=${TENANT} cs1Label=tenant cs2=${HASH} cs2Label=hash cn1=42 cn1Label=sequence`,
    );
  });

  it('[SV-7.9] carries reason, target, session, request id and details, and grades severity by outcome', () => {
    const message = formatCefMessage(
      chained({
        outcome: 'denied',
        action: 'data.viewed',
        actor: { type: 'operator', operator: 'beheer' },
        device: undefined,
        target: { type: 'zaak', id: 'Z-1' },
        sessionId: 's-1',
        requestId: 'r-1',
        reason: 'missing permission',
        details: { fields: ['bsn'] },
      }),
      { productVersion: '1' },
    );
    expect(message).toBe(
      'CEF:0|Veilig|Veilig|1|data.viewed|data.viewed denied|5|' +
        `rt=1741064767089 act=data.viewed outcome=denied suser=beheer externalId=${EVENT_ID} reason=missing permission ` +
        `cs1=${TENANT} cs1Label=tenant cs2=${HASH} cs2Label=hash cn1=42 cn1Label=sequence cs3=zaak:Z-1 cs3Label=target ` +
        'cs4=s-1 cs4Label=session cs5=r-1 cs5Label=requestId cs6={"fields":["bsn"]} cs6Label=details',
    );
    expect(formatCefMessage(chained({ outcome: 'failure' }), { productVersion: '1' })).toMatch(/^CEF:0\|Veilig\|Veilig\|1\|auth\.logon\|auth\.logon failure\|6\|/);
  });

  it('escapes | and \\ in the header, and turns a line break there into a space', () => {
    expect(escapeHeader('a|b\\c\r\nd\ne')).toBe('a\\|b\\\\c d e');
    expect(formatCefMessage(chained({ action: 'x|y' }), { productVersion: '1\\2' })).toMatch(/^CEF:0\|Veilig\|Veilig\|1\\\\2\|x\\\|y\|x\\\|y success\|3\|/);
  });

  it('escapes = and \\ and line breaks in extension values, and leaves | alone there', () => {
    expect(escapeExtensionValue('a=b\\c\r\nd\ne\rf|g')).toBe('a\\=b\\\\c\\nd\\ne\\rf|g');
    const message = formatCefMessage(chained({ reason: 'key=value\nline 2', actor: { type: 'user', displayName: 'A\\B' } }), { productVersion: '1' });
    expect(message).toContain(' suser=A\\\\B ');
    expect(message).toContain(' reason=key\\=value\\nline 2 ');
    expect(message).not.toMatch(/[\r\n]/);
  });
});
