/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** Longest stored string, counted after escaping; longer ones are cut and marked. */
export const MAX_AUDIT_TEXT_LENGTH = 1_000;

/**
 * How much of a string is looked at for secrets at all: enough that redaction, which can only
 * shorten text, never brings unexamined text within MAX_AUDIT_TEXT_LENGTH in practice, and
 * little enough that no input makes the patterns below slow.
 */
const MAX_INSPECTED_LENGTH = 16 * MAX_AUDIT_TEXT_LENGTH;

/** Names whose value is a secret in a query string, form body or JSON text (case-insensitive). */
const SECRET_PARAMETER =
  'password|passwd|passcode|passphrase|secret|client_secret|token|access_token|id_token|refresh_token|code|otp|totp|SAMLResponse|assertion|api_key|apikey';

type Replacement = (match: string, ...groups: string[]) => string;

/**
 * Secrets recognised by their form wherever they appear in a string, in the order applied. They
 * are matched before control characters are escaped, so that a multi-line PEM block or base64
 * SAML message is recognised as a whole.
 */
const SECRET_FORMS: ReadonlyArray<readonly [RegExp, Replacement]> = [
  // PEM block, also when cut off before its END line.
  [/-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)/g, () => REDACTED],
  // JWS/JWT and JWE, also a cut-off one: a base64url JSON header always starts with eyJ.
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*/g, () => REDACTED],
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, () => `Bearer ${REDACTED}`],
  // Base64 of "<samlp", "<saml:", "<saml2" or "<?xml", plain or URL-encoded, possibly wrapped over lines.
  [/(?:PHNhbWxw|PHNhbWw6|PHNhbWwy|PD94bWw)(?:[A-Za-z0-9+/=_-]|%2[BbFf]|%3[Dd]|\r?\n)*/g, (match) => (match.length > 40 ? REDACTED : match)],
  // Our cookies all carry the __Host- prefix (the session, sealed sign-in state).
  [/\b(__(?:Host|Secure)-[!#$%&'*+.^_`|~0-9A-Za-z-]+)=[^;,\s]*/g, (_match, name = '') => `${name}=${REDACTED}`],
  [new RegExp(`\\b(${SECRET_PARAMETER})=[^&;,\\s"']+`, 'gi'), (_match, name = '') => `${name}=${REDACTED}`],
  [new RegExp(`"(${SECRET_PARAMETER})"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), (_match, name = '', colon = ':') => `"${name}"${colon}"${REDACTED}"`],
];

/**
 * Characters that let a string forge or hide log lines: C0 and C1 controls (CR, LF, ESC of ANSI
 * sequences, NUL), DEL, the Unicode line and paragraph separators, and bidirectional overrides
 * that make a SIEM console show text in another order than it is stored.
 */
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes one caller-supplied string safe to store and forward (SE-3.3, SE-6.1): secrets replaced
 * by "[redacted]", unsafe characters escaped to a visible `\uXXXX`, lone surrogates (which no
 * UTF-8 consumer accepts) replaced by U+FFFD, and the result cut at MAX_AUDIT_TEXT_LENGTH with a
 * marker saying how much was cut.
 */
export function sanitiseAuditText(text: string): string {
  let safe = text.slice(0, MAX_INSPECTED_LENGTH);
  const uninspected = text.length - safe.length;
  for (const [pattern, replacement] of SECRET_FORMS) safe = safe.replace(pattern, replacement);
  safe = safe
    .replace(UNSAFE_CHARACTER, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(LONE_SURROGATE, '\ufffd');
  if (safe.length <= MAX_AUDIT_TEXT_LENGTH && uninspected === 0) return safe;
  const end = Math.min(safe.length, MAX_AUDIT_TEXT_LENGTH);
  const cut = /[\ud800-\udbff]/.test(safe.charAt(end - 1)) ? end - 1 : end;
  return `${safe.slice(0, cut)}…[cut ${safe.length - cut + uninspected} characters]`;
}
