import type { AuditOutcome, ChainedAuditEvent } from '../../model/audit-event.js';

/** RFC 5424 §6.2.1 facility codes by their conventional names (13–15 are "log audit", "log alert", "clock"). */
export const SYSLOG_FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

/** Security and authorisation messages: what most SIEMs route to their audit pipeline. */
export const DEFAULT_SYSLOG_FACILITY: SyslogFacility = 'authpriv';

/** A rejected attempt is worth more attention than a refused one, and both more than a success. */
export const SYSLOG_SEVERITY_OF_OUTCOME: Readonly<Record<AuditOutcome, number>> = {
  success: 6, // informational
  denied: 5, // notice
  failure: 4, // warning
};

export const SYSLOG_APP_NAME = 'veilig';

/**
 * Our SD-ID. 32473 is the private enterprise number IANA reserves for documentation (RFC 5612);
 * an installation with a PEN of its own can be moved to it without changing anything else.
 */
export const VEILIG_SD_ID = 'veilig@32473';

export interface SyslogHeaderOptions {
  readonly facility?: SyslogFacility;
  /** HOSTNAME: the sending host as the SIEM should know it. */
  readonly hostname: string;
}

const BYTE_ORDER_MARK = '\uFEFF';
const NILVALUE = '-';
const MAX_HOSTNAME = 255;
const MAX_MSGID = 32;

/**
 * One RFC 5424 SYSLOG-MSG for an audit event, with `payload` (JSON or CEF) as an UTF-8 MSG:
 * `<PRI>1 TIMESTAMP HOSTNAME veilig - MSGID [veilig@32473 tenant="…" seq="…" id="…"] BOM payload`.
 * TIMESTAMP is when the event occurred, MSGID its action; the structured data lets a SIEM
 * deduplicate redelivered events by id and spot gaps in a tenant's sequence without parsing MSG.
 */
export function formatSyslogMessage(chained: ChainedAuditEvent, payload: string, options: SyslogHeaderOptions): string {
  const { event } = chained;
  const priority = SYSLOG_FACILITIES[options.facility ?? DEFAULT_SYSLOG_FACILITY] * 8 + SYSLOG_SEVERITY_OF_OUTCOME[event.outcome];
  const structuredData = `[${VEILIG_SD_ID} tenant="${escapeParamValue(event.tenantId)}" seq="${chained.sequence}" id="${escapeParamValue(event.id)}"]`;
  return [
    `<${priority}>1`,
    timestamp(event.occurredAt),
    headerField(options.hostname, MAX_HOSTNAME),
    SYSLOG_APP_NAME,
    NILVALUE,
    headerField(event.action, MAX_MSGID),
    structuredData,
    `${BYTE_ORDER_MARK}${payload}`,
  ].join(' ');
}

/** RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (character) => `\\${character}`);
}

function timestamp(occurredAt: string): string {
  const time = new Date(occurredAt);
  return Number.isNaN(time.getTime()) ? NILVALUE : time.toISOString();
}

/** Header fields are PRINTUSASCII (33–126) only: anything else would shift the fields a receiver splits on spaces. */
function headerField(value: string, maxLength: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '_').slice(0, maxLength);
  return printable === '' ? NILVALUE : printable;
}
