/**
 * Why a sign-in or an IdP request was refused: a stable code for the audit trail and for the
 * problem response, independent of the wording of the libraries underneath.
 */
export const OIDC_ERROR_REASONS = [
  'configuration-invalid',
  'ssrf-refused',
  'idp-unreachable',
  'response-too-large',
  'discovery-failed',
  'issuer-mismatch',
  'iss-parameter-mismatch',
  'state-mismatch',
  'callback-invalid',
  'idp-error',
  'nonce-mismatch',
  'tenant-mismatch',
  'audience-mismatch',
  'expired',
  'alg-refused',
  'signature-invalid',
  'id-token-invalid',
] as const;

export type OidcErrorReason = (typeof OIDC_ERROR_REASONS)[number];

// An OAuth error code is a short ASCII token; anything else from the front channel is not repeated into logs.
const OAUTH_ERROR_CODE = /^[a-z0-9_.-]{1,64}$/i;

export class OidcError extends Error {
  override readonly name = 'OidcError';
  /**
   * The IdP's own OAuth error code (`access_denied`, `interaction_required`, `invalid_grant`, …)
   * when reason is 'idp-error'; the description is left out, the browser can send anything there.
   */
  readonly idpErrorCode: string | undefined;

  constructor(
    readonly reason: OidcErrorReason,
    message: string,
    options: { cause?: unknown; idpErrorCode?: string | null } = {},
  ) {
    super(message, { cause: options.cause });
    const code = options.idpErrorCode ?? undefined;
    this.idpErrorCode = code === undefined ? undefined : OAUTH_ERROR_CODE.test(code) ? code : 'unrecognised';
  }
}
