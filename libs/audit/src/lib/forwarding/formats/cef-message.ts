import type { AuditOutcome, ChainedAuditEvent } from '../../model/audit-event.js';

export interface CefOptions {
  /** Device Version in the header: the release of Veilig that forwarded the event. */
  readonly productVersion: string;
}

/** CEF severity 0–10, in the same order as the syslog severities (failure above denied above success). */
export const CEF_SEVERITY_OF_OUTCOME: Readonly<Record<AuditOutcome, number>> = {
  success: 3,
  denied: 5,
  failure: 6,
};

const VENDOR = 'Veilig';
const PRODUCT = 'Veilig';

/**
 * One ArcSight CEF line for an audit event:
 * `CEF:0|Veilig|Veilig|<version>|<action>|<action> <outcome>|<severity>|<extensions>`.
 * Extensions use the standard keys a SIEM maps without configuration: rt (occurred, ms since the
 * epoch), act, outcome, suser (email, else display name, operator or IdP subject), suid (user id,
 * else IdP subject), src (IP), requestClientApplication (user agent), externalId (event id, stable
 * across redelivery), reason; and labelled custom fields: cs1 tenant, cs2 hash, cn1 sequence,
 * cs3 target, cs4 session, cs5 request id, cs6 details (JSON). Absent values are left out.
 */
export function formatCefMessage(chained: ChainedAuditEvent, options: CefOptions): string {
  const { event } = chained;
  const { actor, device, target } = event;
  const header = [
    'CEF:0',
    escapeHeader(VENDOR),
    escapeHeader(PRODUCT),
    escapeHeader(options.productVersion),
    escapeHeader(event.action),
    escapeHeader(`${event.action} ${event.outcome}`),
    String(CEF_SEVERITY_OF_OUTCOME[event.outcome]),
  ].join('|');
  const occurredAt = Date.parse(event.occurredAt);
  const extensions: ReadonlyArray<readonly [string, string | number | undefined]> = [
    ['rt', Number.isNaN(occurredAt) ? undefined : occurredAt],
    ['act', event.action],
    ['outcome', event.outcome],
    ['suser', actor.email ?? actor.displayName ?? actor.operator ?? actor.idpSubject],
    ['suid', actor.userId ?? actor.idpSubject],
    ['src', device?.ip],
    ['requestClientApplication', device?.userAgent],
    ['externalId', event.id],
    ['reason', event.reason],
    ['cs1', event.tenantId],
    ['cs1Label', 'tenant'],
    ['cs2', chained.hash],
    ['cs2Label', 'hash'],
    ['cn1', chained.sequence],
    ['cn1Label', 'sequence'],
    ['cs3', target ? (target.id === undefined ? target.type : `${target.type}:${target.id}`) : undefined],
    ['cs3Label', target ? 'target' : undefined],
    ['cs4', event.sessionId],
    ['cs4Label', event.sessionId === undefined ? undefined : 'session'],
    ['cs5', event.requestId],
    ['cs5Label', event.requestId === undefined ? undefined : 'requestId'],
    ['cs6', event.details === undefined ? undefined : JSON.stringify(event.details)],
    ['cs6Label', event.details === undefined ? undefined : 'details'],
  ];
  const extension = extensions
    .filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeExtensionValue(String(value))}`)
    .join(' ');
  return `${header}|${extension}`;
}

/**
 * CEF header fields escape '\' and '|'. A line break cannot be escaped there, and would end the
 * record for a line-based receiver, so it becomes a space.
 */
export function escapeHeader(value: string): string {
  return value.replace(/[\\|]/g, (character) => `\\${character}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** CEF extension values escape '\' and '=', and write line breaks as the two characters \n or \r. */
export function escapeExtensionValue(value: string): string {
  return value
    .replace(/[\\=]/g, (character) => `\\${character}`)
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r');
}
