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
export { AUDIT_PERMISSIONS } from './lib/http/audit.permissions.js';
export { AuditHttpModule } from './lib/http/audit-http.module.js';
export { AuditMaintenance } from './lib/maintenance/audit-maintenance.js';
export type { AuditMaintenanceOptions } from './lib/maintenance/audit-maintenance.js';
export { AuditSigningKeyError, loadAuditSigningKey } from './lib/maintenance/audit-signing-key.js';
export type { AuditSigningKey } from './lib/maintenance/audit-signing-key.js';

// SIEM forwarding (destinations, formats, transports, forwarder).
export { AuditForwarder } from './lib/forwarding/audit-forwarder.js';
export type { AuditDestinationLag, AuditForwarderLogger, AuditForwarderOptions } from './lib/forwarding/audit-forwarder.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs } from './lib/forwarding/retry-delay.js';
export type { RetryPolicy } from './lib/forwarding/retry-delay.js';
export { AUDIT_FORWARDING_MIGRATIONS } from './lib/forwarding/migrations/index.js';
export { AuditDestinationRepository } from './lib/forwarding/destinations/audit-destination-repository.js';
export type { AuditDeliveryStatus, AuditDestination, DeliverableAuditDestination } from './lib/forwarding/destinations/audit-destination-repository.js';
export { AUDIT_DESTINATION_KINDS, AuditDestinationError, parseAuditDestination } from './lib/forwarding/destinations/audit-destination-settings.js';
export type {
  AuditDestinationDefinition,
  AuditDestinationFormat,
  AuditDestinationInput,
  AuditDestinationKind,
  AuditDestinationSecrets,
  AuditDestinationSettings,
} from './lib/forwarding/destinations/audit-destination-settings.js';
export { createAuditTransport } from './lib/forwarding/destinations/create-audit-transport.js';
export type { TransportEnvironment } from './lib/forwarding/destinations/create-audit-transport.js';
export { DEFAULT_SYSLOG_FACILITY, SYSLOG_FACILITIES, SYSLOG_SEVERITY_OF_OUTCOME, VEILIG_SD_ID, formatSyslogMessage } from './lib/forwarding/formats/syslog-message.js';
export type { SyslogFacility, SyslogHeaderOptions } from './lib/forwarding/formats/syslog-message.js';
export { CEF_SEVERITY_OF_OUTCOME, formatCefMessage } from './lib/forwarding/formats/cef-message.js';
export type { CefOptions } from './lib/forwarding/formats/cef-message.js';
export { formatJsonDocument } from './lib/forwarding/formats/json-document.js';
export type { ForwardedAuditDocument } from './lib/forwarding/formats/json-document.js';
export { auditPayload } from './lib/forwarding/formats/audit-payload.js';
export type { AuditPayload, AuditPayloadFormat } from './lib/forwarding/formats/audit-payload.js';
export { AuditTransportError } from './lib/forwarding/transports/audit-transport.js';
export type { AuditTransport } from './lib/forwarding/transports/audit-transport.js';
export { SyslogStreamTransport } from './lib/forwarding/transports/syslog-stream-transport.js';
export type { SyslogStreamTransportOptions, SyslogTlsOptions } from './lib/forwarding/transports/syslog-stream-transport.js';
export { SyslogUdpTransport, UDP_MESSAGE_BYTES, truncateUtf8 } from './lib/forwarding/transports/syslog-udp-transport.js';
export type { SyslogUdpTransportOptions } from './lib/forwarding/transports/syslog-udp-transport.js';
export { HTTPS_BATCH_DEFAULTS, HttpsTransport, SPLUNK_HEC_EVENT_PATH, SPLUNK_HEC_SOURCE, SPLUNK_HEC_SOURCETYPE } from './lib/forwarding/transports/https-transport.js';
export type { HttpsCollectorMode, HttpsTransportOptions } from './lib/forwarding/transports/https-transport.js';
export { JsonLinesFileTransport } from './lib/forwarding/transports/json-lines-file-transport.js';
export type { JsonLinesFileTransportOptions } from './lib/forwarding/transports/json-lines-file-transport.js';
