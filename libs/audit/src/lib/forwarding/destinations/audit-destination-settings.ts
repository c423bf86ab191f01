import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { SPLUNK_HEC_EVENT_PATH } from '../transports/https-transport.js';
import { UDP_MESSAGE_BYTES } from '../transports/syslog-udp-transport.js';
import { SYSLOG_FACILITIES, type SyslogFacility } from '../formats/syslog-message.js';

export const AUDIT_DESTINATION_KINDS = ['syslog-tls', 'syslog-tcp', 'syslog-udp', 'https', 'file'] as const;
export type AuditDestinationKind = (typeof AUDIT_DESTINATION_KINDS)[number];

/** A destination's description was refused; the message names every problem at once. */
export class AuditDestinationError extends Error {
  override readonly name = 'AuditDestinationError';
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Visible ASCII only: a token goes into an HTTP header, where a line break would inject another. */
const TOKEN = /^[\x21-\x7e]{16,4096}$/;
const FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,99}\.jsonl$/;

const host = z.string().refine((value) => isIP(value) !== 0 || DNS_NAME.test(value), 'must be a host name or an IP address');
const port = z.int('must be a whole number').min(1, 'must be from 1 to 65535').max(65_535, 'must be from 1 to 65535');
const certificates = z.string().refine(isCertificateBundle, 'must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)');
const facility = z.enum(Object.keys(SYSLOG_FACILITIES) as [SyslogFacility, ...SyslogFacility[]], 'must be a syslog facility name such as authpriv or local0');
const timeoutMs = z.int('must be a whole number of milliseconds').min(100, 'must be at least 100 ms').max(300_000, 'must be at most 300000 ms (5 minutes)');

const syslogTls = z.strictObject({
  host,
  port,
  /** The CA the receiver's certificate must chain to. */
  caPem: certificates,
  /** The name the receiver's certificate must carry, when it is not `host`. */
  serverName: host.optional(),
  /** With the secret `clientKeyPem`: mutual TLS. */
  clientCertPem: certificates.optional(),
  facility: facility.optional(),
  connectTimeoutMs: timeoutMs.optional(),
});
const syslogTcp = z.strictObject({ host, port, facility: facility.optional(), connectTimeoutMs: timeoutMs.optional() });
const syslogUdp = z.strictObject({
  host,
  port,
  facility: facility.optional(),
  maxMessageBytes: z
    .int('must be a whole number of bytes')
    .min(UDP_MESSAGE_BYTES.min, `must be at least ${UDP_MESSAGE_BYTES.min} (RFC 5426)`)
    .max(UDP_MESSAGE_BYTES.max, `must be at most ${UDP_MESSAGE_BYTES.max}`)
    .optional(),
});
const https = z.strictObject({
  url: z.string().refine(isPlainHttpsUrl, 'must be an https URL without user name or password'),
  mode: z.enum(['json', 'splunk-hec'], 'must be json or splunk-hec').default('json'),
  caPem: certificates,
  clientCertPem: certificates.optional(),
  maxBatchEvents: z.int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').optional(),
  maxBatchBytes: z.int('must be a whole number of bytes').min(4_096, 'must be at least 4096').max(16 * 1024 * 1024, 'must be at most 16 MiB').optional(),
  timeoutMs: timeoutMs.optional(),
});
/** A name, not a path: the forwarder writes it in the folder its operator configured, and nowhere else. */
const file = z.strictObject({ fileName: z.string().regex(FILE_NAME, 'must be a plain file name ending in .jsonl (lower-case letters, digits, ".", "_", "-")') });

const secrets = z.strictObject({
  /** Bearer token, or the HEC token in splunk-hec mode. */
  token: z.string().regex(TOKEN, 'must be 16 to 4096 visible ASCII characters').optional(),
  /** PEM private key of `clientCertPem`. */
  clientKeyPem: z.string().refine(isPrivateKey, 'must be a PEM private key').optional(),
});

const name = z.string().regex(NAME, 'must be lower-case letters, digits and hyphens, at most 63');
const format = z.enum(['json', 'cef'], 'must be json or cef').default('json');
const destination = <K extends AuditDestinationKind, S extends z.ZodType>(kind: K, settings: S) =>
  z.strictObject({ name, kind: z.literal(kind), format, settings, secrets: secrets.default({}) });

const AUDIT_DESTINATION_SCHEMA = z
  .discriminatedUnion(
    'kind',
    [
      destination('syslog-tls', syslogTls),
      destination('syslog-tcp', syslogTcp),
      destination('syslog-udp', syslogUdp),
      destination('https', https),
      destination('file', file),
    ],
    { error: `kind must be one of ${AUDIT_DESTINATION_KINDS.join(', ')}` },
  )
  .superRefine((parsed, context) => {
    const problem = (path: readonly string[], message: string) => context.addIssue({ code: 'custom', path: [...path], message });
    const { token, clientKeyPem } = parsed.secrets;
    const clientCertPem = parsed.kind === 'syslog-tls' || parsed.kind === 'https' ? parsed.settings.clientCertPem : undefined;
    if (clientKeyPem !== undefined && clientCertPem === undefined) problem(['secrets', 'clientKeyPem'], 'is only used with settings.clientCertPem');
    if (clientCertPem !== undefined && clientKeyPem === undefined) problem(['secrets', 'clientKeyPem'], 'is required with settings.clientCertPem');
    if (clientCertPem !== undefined && clientKeyPem !== undefined && isPrivateKey(clientKeyPem) && !keyMatches(clientCertPem, clientKeyPem)) {
      problem(['secrets', 'clientKeyPem'], 'is not the key of the first certificate in settings.clientCertPem');
    }
    if (parsed.kind !== 'https' && token !== undefined) problem(['secrets', 'token'], `is only used by https destinations, not ${parsed.kind}`);
    if (parsed.kind === 'https') {
      if (parsed.settings.mode === 'splunk-hec') {
        if (token === undefined) problem(['secrets', 'token'], 'is required in splunk-hec mode (the HEC token)');
        const path = URL.parse(parsed.settings.url)?.pathname;
        if (path !== '/' && path !== SPLUNK_HEC_EVENT_PATH) problem(['settings', 'url'], `must be the collector's origin or end in ${SPLUNK_HEC_EVENT_PATH} in splunk-hec mode`);
      }
      if (token === undefined && clientCertPem === undefined) problem(['secrets'], 'an https destination needs a token or a client certificate (settings.clientCertPem with secrets.clientKeyPem)');
    }
  });

export type AuditDestinationDefinition = z.output<typeof AUDIT_DESTINATION_SCHEMA>;
export type AuditDestinationSettings = AuditDestinationDefinition['settings'];
export type AuditDestinationSecrets = AuditDestinationDefinition['secrets'];
export type AuditDestinationFormat = AuditDestinationDefinition['format'];

/** What a caller describes: the settings and secrets are checked against the kind. */
export interface AuditDestinationInput {
  readonly name: string;
  readonly kind: AuditDestinationKind;
  /** Default json. */
  readonly format?: AuditDestinationFormat;
  readonly settings: unknown;
  /** Kept sealed at rest, never returned by a listing. */
  readonly secrets?: unknown;
}

/** Checks a destination and fills its defaults, or throws an AuditDestinationError listing every problem. */
export function parseAuditDestination(input: AuditDestinationInput): AuditDestinationDefinition {
  const result = AUDIT_DESTINATION_SCHEMA.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new AuditDestinationError(`invalid audit destination: ${problems.join('; ')}`);
}

function isCertificateBundle(pem: string): boolean {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0 || pem.replace(CERTIFICATE_BLOCK, '').trim() !== '') return false;
  return blocks.every((block) => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  });
}

function isPrivateKey(pem: string): boolean {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return false;
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function keyMatches(certificatePem: string, keyPem: string): boolean {
  const [leaf] = certificatePem.match(CERTIFICATE_BLOCK) ?? [];
  if (!leaf) return false;
  try {
    return new X509Certificate(leaf).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function isPlainHttpsUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && url.protocol === 'https:' && url.username === '' && url.password === '';
}
