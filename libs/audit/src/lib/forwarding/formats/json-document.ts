import type { AuditEvent, ChainedAuditEvent } from '../../model/audit-event.js';

/** What a SIEM receives as JSON: the stored event, with its place in the tenant's chain. */
export interface ForwardedAuditDocument extends AuditEvent {
  readonly sequence: number;
  readonly hash: string;
}

/** The event as one line of JSON (no newlines: JSON.stringify escapes them inside strings). */
export function formatJsonDocument(chained: ChainedAuditEvent): string {
  const document: ForwardedAuditDocument = { ...chained.event, sequence: chained.sequence, hash: chained.hash };
  return JSON.stringify(document);
}
