import { describe, expect, it } from 'vitest';
import { AuditEventError } from '../model/audit-errors.js';
import { PLATFORM_TENANT_ID, type AuditEventInput } from '../model/audit-event.js';
import { auditEventSchema } from '../model/audit-event.schema.js';
import { buildAuditEvent } from './build-audit-event.js';

const TENANT = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const USER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const logon: AuditEventInput = {
  tenantId: TENANT,
  action: 'auth.logon',
  outcome: 'success',
  actor: { type: 'user', userId: USER, email: 'jan@gemeente.example', idpSubject: 'oid-1' },
  sessionId: 'b2f6a0c4-1d2e-4f3a-9b8c-7d6e5f4a3b2c',
  device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0' },
  details: { method: 'saml', attempts: 1, mfa: true, groups: ['a', 'b'], previous: null },
};

describe('buildAuditEvent', () => {
  it('[SE-3.3] [SV-7.9] keeps who, what, from which device, with what result and when', () => {
    const event = buildAuditEvent({ ...logon, occurredAt: new Date('2026-03-01T10:00:00.123Z') });
    expect(event).toMatchObject({
      schemaVersion: 1,
      tenantId: TENANT,
      action: 'auth.logon',
      outcome: 'success',
      actor: { userId: USER, email: 'jan@gemeente.example' },
      device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0' },
      occurredAt: '2026-03-01T10:00:00.123Z',
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(auditEventSchema.parse(event)).toEqual(event);
  });

  it('[SE-3.2] puts an event without a tenant in the platform chain, at the current time in UTC with milliseconds', () => {
    const event = buildAuditEvent({ tenantId: null, action: 'tenant.created', outcome: 'success', actor: { type: 'operator', operator: 'root' } });
    expect(event.tenantId).toBe(PLATFORM_TENANT_ID);
    expect(event.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it.each([
    ['an unknown action', { ...logon, action: 'auth.hacked' }, /unknown audit action "auth.hacked"/],
    ['a missing actor', { ...logon, actor: undefined }, /actor/],
    ['an actor user id that is no UUID', { ...logon, actor: { type: 'user', userId: '42' } }, /must be a UUID/],
    ['a tenant id that is no UUID', { ...logon, tenantId: 'gemeente-a' }, /must be a UUID/],
    ['an unknown outcome', { ...logon, outcome: 'maybe' }, /outcome/],
    ['an unknown field', { ...logon, password: 'x' }, /Unrecognized key: "password"/],
    ['a detail key with a line break', { ...logon, details: { 'a\nb': 'x' } }, /detail keys are names/],
    ['a detail that is an object', { ...logon, details: { nested: { a: 1 } } }, /details/],
    ['an infinite number', { ...logon, details: { n: Number.POSITIVE_INFINITY } }, /details/],
    ['an invalid date', { ...logon, occurredAt: new Date('nonsense') }, /occurredAt/],
  ])('[SE-3.3] refuses %s with AuditEventError', (_what, input, message) => {
    expect(() => buildAuditEvent(input)).toThrow(AuditEventError);
    expect(() => buildAuditEvent(input)).toThrow(message);
  });
});
