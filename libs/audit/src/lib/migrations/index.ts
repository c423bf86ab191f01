import { AuditEvents1765000000000 } from './1765000000000-audit-events.js';
import { AuditRetention1765000000001 } from './1765000000001-audit-retention.js';

/** In order; pass them to prepareDatabase after the platform's own (forwarding has AUDIT_FORWARDING_MIGRATIONS). */
export const AUDIT_MIGRATIONS = [AuditEvents1765000000000, AuditRetention1765000000001];
