import { X509Certificate, createPrivateKey } from 'node:crypto';
import { SamlError } from './saml-error.js';

/**
 * One tenant's SAML connection to its Microsoft Entra ID (SE-7.1). Entity ids are URIs, in any of
 * the forms Entra accepts as an application identifier: `https://…`, `api://…`, `spn:<guid>`, `urn:…`.
 */
export interface SamlConnection {
  readonly connectionId: string;
  readonly spEntityId: string;
  /** Assertion Consumer Service: where the IdP POSTs the Response; Destination and Recipient must equal it. */
  readonly acsUrl: string;
  /** Where the IdP redirects the LogoutResponse to. */
  readonly sloUrl: string;
  readonly idpEntityId: string;
  readonly idpSsoUrl: string;
  /** Absent when the IdP metadata has no SingleLogoutService; logout is then local only. */
  readonly idpSloUrl?: string;
  /** PEM certificates. Several during an Entra signing-certificate rollover: any of them may sign. */
  readonly idpSigningCertsPem: readonly string[];
  /** PEM (PKCS#8) RSA key that signs our AuthnRequests and LogoutRequests. */
  readonly spSigningKeyPem: string;
  readonly spSigningCertPem: string;
  /** Tolerated clock difference with the IdP; default {@link DEFAULT_CLOCK_SKEW_MS}, at most {@link MAX_CLOCK_SKEW_MS}. */
  readonly clockSkewMs?: number;
  /** Refuse assertions issued longer ago than this, even when their NotOnOrAfter is later. */
  readonly maxAssertionAgeMs?: number;
  /** Default false: Entra signs the assertion, and signs the Response only when the app is set to. */
  readonly wantAuthnResponseSigned?: boolean;
}

export const DEFAULT_CLOCK_SKEW_MS = 60_000;
export const MAX_CLOCK_SKEW_MS = 180_000;

/** Below this an RSA signature is not accepted by the intake's cryptography baseline. */
const MIN_RSA_KEY_BITS = 2048;

export interface ResolvedSamlConnection extends SamlConnection {
  readonly clockSkewMs: number;
  readonly wantAuthnResponseSigned: boolean;
}

/** Checks a connection once, when a service provider is built, and fills in the defaults. */
export function resolveSamlConnection(connection: SamlConnection): ResolvedSamlConnection {
  const clockSkewMs = connection.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (!connection.connectionId) refuse('connectionId is empty');
  for (const [field, value] of [
    ['spEntityId', connection.spEntityId],
    ['idpEntityId', connection.idpEntityId],
  ] as const) {
    if (!isAbsoluteUri(value)) refuse(`${field} "${value}" is not an absolute URI`);
  }
  for (const [field, value] of [
    ['acsUrl', connection.acsUrl],
    ['sloUrl', connection.sloUrl],
    ['idpSsoUrl', connection.idpSsoUrl],
    ['idpSloUrl', connection.idpSloUrl],
  ] as const) {
    if (value !== undefined && !isHttpsUrl(value)) refuse(`${field} "${value}" is not an https URL`);
  }
  if (!Number.isInteger(clockSkewMs) || clockSkewMs < 0 || clockSkewMs > MAX_CLOCK_SKEW_MS) {
    refuse(`clockSkewMs must be an integer from 0 to ${MAX_CLOCK_SKEW_MS}`);
  }
  if (connection.maxAssertionAgeMs !== undefined && !(Number.isInteger(connection.maxAssertionAgeMs) && connection.maxAssertionAgeMs > 0)) {
    refuse('maxAssertionAgeMs must be a positive integer');
  }
  if (connection.idpSigningCertsPem.length === 0) refuse('no IdP signing certificate');
  connection.idpSigningCertsPem.forEach((pem, index) => certificate(pem, `idpSigningCertsPem[${index}]`));
  checkSpSigningKey(connection);
  return { ...connection, clockSkewMs, wantAuthnResponseSigned: connection.wantAuthnResponseSigned ?? false };
}

function checkSpSigningKey(connection: SamlConnection): void {
  let key;
  try {
    key = createPrivateKey(connection.spSigningKeyPem);
  } catch (error) {
    refuse('spSigningKeyPem is not a private key', error);
  }
  // node-saml signs redirect-binding messages with RSA-SHA256 whatever the key is, so an EC key would produce a SigAlg that lies.
  if (key.asymmetricKeyType !== 'rsa') refuse('spSigningKeyPem must be an RSA key');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_KEY_BITS) refuse(`spSigningKeyPem must be at least ${MIN_RSA_KEY_BITS} bits`);
  if (!certificate(connection.spSigningCertPem, 'spSigningCertPem').checkPrivateKey(key)) {
    refuse('spSigningCertPem does not belong to spSigningKeyPem');
  }
}

function certificate(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    refuse(`${field} is not an X.509 certificate`, error);
  }
}

export function isAbsoluteUri(value: string): boolean {
  return value.length > 0 && value.trim() === value && URL.canParse(value);
}

export function isHttpsUrl(value: string): boolean {
  return isAbsoluteUri(value) && new URL(value).protocol === 'https:';
}

function refuse(detail: string, cause?: unknown): never {
  throw new SamlError('configuration-invalid', detail, { cause });
}
