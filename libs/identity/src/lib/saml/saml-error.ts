/**
 * Why a SAML message, metadata document or connection was refused. The codes go to the audit
 * trail; what the user sees is decided by the caller and stays generic.
 */
export const SAML_ERROR_REASONS = [
  'too-large',
  'too-deep',
  'encoding-invalid',
  'dtd-refused',
  'malformed',
  'multiple-assertions',
  'signature-invalid',
  'sha1-refused',
  'algorithm-refused',
  'issuer-mismatch',
  'destination-mismatch',
  'recipient-mismatch',
  'audience-mismatch',
  'expired',
  'not-yet-valid',
  'unsolicited',
  'in-response-to-unknown',
  'in-response-to-mismatch',
  'replayed',
  'status-not-success',
  'metadata-invalid',
  'configuration-invalid',
] as const;

export type SamlErrorReason = (typeof SAML_ERROR_REASONS)[number];

export class SamlError extends Error {
  override readonly name = 'SamlError';

  constructor(
    readonly reason: SamlErrorReason,
    /** For the audit trail and logs; may quote values from the refused message. */
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
  }
}
