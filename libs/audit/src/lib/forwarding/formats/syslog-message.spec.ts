import { describe, expect, it } from 'vitest';
import type { AuditEvent, ChainedAuditEvent } from '../../model/audit-event.js';
import { parseSyslogMessage } from '../testing/syslog-parser.js';
import { escapeParamValue, formatSyslogMessage } from './syslog-message.js';

const TENANT = '7d4e2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const EVENT_ID = '3f1c9e2d-0a4b-4c5d-9e6f-708192a3b4c5';
const HASH = 'ab'.repeat(32);

function chained(overrides: Partial<AuditEvent> = {}, sequence = 42): ChainedAuditEvent {
  const event: AuditEvent = {
    schemaVersion: 1,
    id: EVENT_ID,
    tenantId: TENANT,
    occurredAt: '2025-03-04T05:06:07.089Z',
    action: 'auth.logon',
    outcome: 'success',
    actor: { type: 'user', userId: '11111111-2222-4333-8444-555555555555', email: 'jan@example.nl' },
    ...overrides,
  };
  return { event, sequence, hash: HASH, previousHash: 'cd'.repeat(32) };
}

describe('RFC 5424 syslog message', () => {
  it('[SV-7.9] writes the header, the veilig structured data and a BOM before the payload', () => {
    expect(formatSyslogMessage(chained(), '{"a":1}', { hostname: 'app-1.gemeente.nl' })).toBe(
      `<86>1 2025-03-04T05:06:07.089Z app-1.gemeente.nl veilig - auth.logon [veilig@32473 tenant="${TENANT}" seq="42" id="${EVENT_ID}"] \uFEFF{"a":1}`,
    );
  });

  it('[SV-7.9] derives the severity from the outcome within the authpriv facility by default, or another facility', () => {
    const priority = (message: string) => message.slice(0, message.indexOf('>') + 1);
    expect(priority(formatSyslogMessage(chained({ outcome: 'success' }), '', { hostname: 'h' }))).toBe('<86>');
    expect(priority(formatSyslogMessage(chained({ outcome: 'denied' }), '', { hostname: 'h' }))).toBe('<85>');
    expect(priority(formatSyslogMessage(chained({ outcome: 'failure' }), '', { hostname: 'h' }))).toBe('<84>');
    expect(priority(formatSyslogMessage(chained({ outcome: 'failure' }), '', { hostname: 'h', facility: 'local4' }))).toBe('<164>');
  });

  it('writes the payload as UTF-8 right after the byte order mark', () => {
    const bytes = Buffer.from(formatSyslogMessage(chained(), 'één', { hostname: 'h' }));
    const bom = bytes.indexOf(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(bom - 2, bom).toString()).toBe('] ');
    expect(bytes.subarray(bom + 3).toString('utf8')).toBe('één');
  });

  it('cuts MSGID to 32 printable ASCII characters and keeps the header fields free of spaces', () => {
    const message = formatSyslogMessage(chained({ action: 'data.viewed.zaak dossier.bijlage.downloaden.é' }), 'x', { hostname: 'host name' });
    expect(message).toContain(' host_name veilig - data.viewed.zaak_dossier.bijlage [');
    expect(parseSyslogMessage(Buffer.from(message)).msgId).toHaveLength(32);
  });

  it('writes NILVALUE for an empty host name and MSGID', () => {
    expect(formatSyslogMessage(chained({ action: '' }), 'x', { hostname: '' })).toMatch(/^<86>1 \S+ - veilig - - \[/);
  });

  it('escapes ", \\ and ] in PARAM-VALUE (RFC 5424 §6.3.3), and a strict parser reads the values back', () => {
    expect(escapeParamValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const awkward = 'x"]\\y';
    const message = formatSyslogMessage(chained({ tenantId: awkward, id: 'id]"' }), 'payload', { hostname: 'h' });
    expect(message).toContain('[veilig@32473 tenant="x\\"\\]\\\\y" seq="42" id="id\\]\\""]');
    const parsed = parseSyslogMessage(Buffer.from(message));
    expect(parsed.structuredData).toEqual([{ id: 'veilig@32473', params: { tenant: awkward, seq: '42', id: 'id]"' } }]);
    expect(parsed.msg).toBe('payload');
    expect(parsed.utf8).toBe(true);
  });
});
