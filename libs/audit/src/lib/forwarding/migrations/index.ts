import { AuditForwarding1765100000000 } from './1765100000000-audit-forwarding.js';

/** After AUDIT_MIGRATIONS: forwarding reads audit_events. */
export const AUDIT_FORWARDING_MIGRATIONS = [AuditForwarding1765100000000];
