import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../model/audit-event.js';
import { sanitiseAuditEvent } from './sanitise-audit-event.js';
import { REDACTED } from './sanitise-audit-text.js';

const base: AuditEvent = {
  schemaVersion: 1,
  id: '3f0e8a34-5d7c-4a4b-9b1e-2c3d4e5f6a7b',
  tenantId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
  occurredAt: '2026-03-01T10:00:00.000Z',
  action: 'auth.failed',
  outcome: 'failure',
  actor: { type: 'user', displayName: 'Jan\nroot' },
};

describe('sanitiseAuditEvent', () => {
  it('[SE-3.3] [SE-6.1] redacts details named like a secret, whatever their case and separators', () => {
    const names = [
      'password', 'newPassword', 'PASSCODE', 'totp', 'otp', 'code', 'totpCode', 'recovery_code', 'secret', 'client_secret',
      'token', 'access_token', 'id-token', 'refreshToken', 'assertion', 'SAMLResponse', 'cookie', 'Authorization',
      'private key', 'privateKey', 'api-key', 'apiKey', 'x.api_key',
    ];
    const details = Object.fromEntries(names.map((name) => [name, 'plain-value-123']));
    const sanitised = sanitiseAuditEvent({ ...base, details: { ...details, attempts: 3, codec: 'h264', footprint: 'small' } });
    for (const name of names) expect(sanitised.details?.[name]).toBe(REDACTED);
    expect(sanitised.details).toMatchObject({ attempts: 3, codec: 'h264', footprint: 'small' });
  });

  it('[SE-3.3] sanitises every string of the event, in nested objects and lists', () => {
    const sanitised = sanitiseAuditEvent({ ...base, details: { groups: ['a\nb'] }, target: { type: 'user', id: 'x\u001b[2J' } });
    expect(sanitised.actor.displayName).toBe('Jan\\u000aroot');
    expect(sanitised.details?.['groups']).toEqual(['a\\u000ab']);
    expect(sanitised.target?.id).toBe('x\\u001b[2J');
  });
});
