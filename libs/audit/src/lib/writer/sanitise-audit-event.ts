import type { AuditDetailValue, AuditEvent } from '../model/audit-event.js';
import { REDACTED, sanitiseAuditText } from './sanitise-audit-text.js';

/** Detail names whose value is a secret wherever the name appears in the key ("newPassword", "client_secret"). */
const SECRET_NAME_PARTS = ['password', 'passwd', 'passcode', 'passphrase', 'secret', 'token', 'assertion', 'samlresponse', 'cookie', 'authorization', 'privatekey', 'apikey', 'totp'];
/**
 * Short names that are secrets as the whole key or its last word ("otp", "totpCode",
 * "recovery_code"), but too common inside other words ("footprint", "codec") to match anywhere.
 */
const SECRET_NAME_ENDINGS = ['otp', 'code', 'pin'];

function isSecretName(key: string): boolean {
  const name = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_NAME_PARTS.some((part) => name.includes(part)) || SECRET_NAME_ENDINGS.some((ending) => name.endsWith(ending));
}

function sanitiseValue<T>(value: T): T {
  if (typeof value === 'string') return sanitiseAuditText(value) as T;
  if (Array.isArray(value)) return value.map(sanitiseValue) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, member]) => member !== undefined)
        .map(([key, member]) => [key, sanitiseValue(member)]),
    ) as T;
  }
  return value;
}

function redactSecretDetails(details: Readonly<Record<string, AuditDetailValue>>): Record<string, AuditDetailValue> {
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, value !== null && isSecretName(key) ? REDACTED : value]));
}

/**
 * Applies the audit log's "never a secret, never a forged line" rule to every string of an
 * event, whatever the caller passed (SE-3.3, SE-6.1): details named like a secret lose their
 * value, and every string goes through sanitiseAuditText.
 */
export function sanitiseAuditEvent(event: AuditEvent): AuditEvent {
  return sanitiseValue(event.details ? { ...event, details: redactSecretDetails(event.details) } : event);
}
