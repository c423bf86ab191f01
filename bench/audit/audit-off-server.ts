import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { AUDIT_SCHEMA_VERSION, AuditWriter, PLATFORM_TENANT_ID, type AuditEvent, type AuditEventInput, type ChainedAuditEvent } from '@veilig/audit';
import { serveBenchmarkTarget } from '../shared/serve-target.js';
import { startVeiligApi } from '../shared/veilig-api-target.js';

/**
 * Audit off, for the benchmark's baseline only: the kit with its one AuditWriter (the instance
 * the application module provides to every feature module, CaseService among them) made to
 * record nothing. Everything else is the kit's own: the read keeps its transaction, the caller
 * still gets the event it would have got, minus the chain position. Done through `modules`,
 * as a fork adds a feature module, because the application's provider cannot be overridden
 * there: Nest resolves AuditWriter from the application's own global module first.
 */
@Module({})
class AuditOffModule {
  constructor(writer: AuditWriter) {
    writer.record = async (input) => (await recordNothing(input)).event;
    writer.recordChained = recordNothing;
  }
}

async function recordNothing(input: AuditEventInput): Promise<ChainedAuditEvent> {
  const { tenantId, occurredAt, ...described } = input;
  const event: AuditEvent = { ...described, schemaVersion: AUDIT_SCHEMA_VERSION, id: randomUUID(), tenantId: tenantId ?? PLATFORM_TENANT_ID, occurredAt: (occurredAt ?? new Date()).toISOString() };
  return { event, sequence: 0, hash: '', previousHash: '' };
}

serveBenchmarkTarget((settings) => startVeiligApi(settings, [AuditOffModule]));
