// Event model, writer, hash chain, query (audit core).
export {
  AUDIT_SCHEMA_VERSION,
  PLATFORM_TENANT_ID,
  SYSTEM_ACTOR_ID,
} from './lib/model/audit-event.js';
export type {
  AuditActor,
  AuditDetailValue,
  AuditDevice,
  AuditEvent,
  AuditEventInput,
  AuditOutcome,
  AuditTarget,
  ChainedAuditEvent,
} from './lib/model/audit-event.js';
export { AUDIT_ACTIONS, isAuditAction } from './lib/model/audit-actions.js';
export type { AuditAction } from './lib/model/audit-actions.js';
export { AUDIT_EVENT_SCHEMA_ID, auditEventInputSchema, auditEventSchema } from './lib/model/audit-event.schema.js';
export { auditEventJsonSchema } from './lib/model/audit-event-json-schema.js';
export { AuditEventError, AuditTenantMismatchError } from './lib/model/audit-errors.js';
export { AuditWriter } from './lib/writer/audit-writer.js';
export { sanitiseAuditText, REDACTED, MAX_AUDIT_TEXT_LENGTH } from './lib/writer/sanitise-audit-text.js';
export { canonicalJson } from './lib/chain/canonical-json.js';
export { chainHash, GENESIS_HASH } from './lib/chain/chain-hash.js';
export { verifyAuditChain } from './lib/chain/verify-audit-chain.js';
export type { AuditChainVerification, VerifyAuditChainOptions } from './lib/chain/verify-audit-chain.js';
export { createCheckpoint, verifyCheckpoint, auditCheckpointPayload, AuditCheckpointError } from './lib/chain/audit-checkpoint.js';
export type { AuditCheckpointStatement } from './lib/chain/audit-checkpoint.js';
export { purgeExpiredAuditEvents } from './lib/retention/purge-expired-audit-events.js';
export type { AuditPurgeResult } from './lib/retention/purge-expired-audit-events.js';
export {
  setAuditRetention,
  AuditRetentionError,
  MIN_AUDIT_RETENTION_DAYS,
  DEFAULT_AUDIT_RETENTION_DAYS,
} from './lib/retention/set-audit-retention.js';
export type { AuditRetentionChange } from './lib/retention/set-audit-retention.js';
export { AuditQuery } from './lib/query/audit-query.js';
export type { AuditQueryPage } from './lib/query/audit-query.js';
export type { AuditQueryFilter } from './lib/query/audit-query-filter.js';
export { AuditQueryError } from './lib/query/audit-query.error.js';
export { AUDIT_MIGRATIONS } from './lib/migrations/index.js';

// SIEM forwarding (destinations, formats, transports, forwarder).
