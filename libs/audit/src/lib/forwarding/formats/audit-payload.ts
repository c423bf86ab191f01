import type { ChainedAuditEvent } from '../../model/audit-event.js';
import { formatCefMessage } from './cef-message.js';
import { formatJsonDocument } from './json-document.js';

export type AuditPayloadFormat = 'json' | 'cef';

/** How one destination writes an event: the text of its payload, and that payload as a JSON value. */
export interface AuditPayload {
  readonly format: AuditPayloadFormat;
  /** JSON text, or one CEF line. */
  text(chained: ChainedAuditEvent): string;
  /** For JSON bodies (HTTPS, HEC): the JSON document itself, or the CEF line as a JSON string. */
  jsonValue(chained: ChainedAuditEvent): string;
}

export function auditPayload(format: AuditPayloadFormat, options: { readonly productVersion: string }): AuditPayload {
  if (format === 'json') return { format, text: formatJsonDocument, jsonValue: formatJsonDocument };
  const text = (chained: ChainedAuditEvent) => formatCefMessage(chained, options);
  return { format, text, jsonValue: (chained) => JSON.stringify(text(chained)) };
}
