import { randomBytes, timingSafeEqual } from 'node:crypto';
import { generate, generateURI, ScureBase32Plugin } from 'otplib';
import QRCode from 'qrcode';
import type { SecretBox } from '../secret-box.js';

/**
 * SHA-1, 6 digits and 30 seconds, because that is what every authenticator app supports without
 * a question. SHA-1's broken collision resistance does not matter here: TOTP uses it inside HMAC,
 * whose security rests on the hash as a pseudorandom function, and no practical attack on
 * HMAC-SHA-1 is known (RFC 6238 §5, NIST SP 800-107).
 */
export const TOTP_ALGORITHM = 'sha1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** 160 bits, the HMAC-SHA-1 block-size recommendation of RFC 4226 §4. */
export const TOTP_SECRET_BYTES = 20;
/** One step either way absorbs clock drift and the time it takes to type the code. */
export const TOTP_WINDOW_STEPS = 1;

const CODE_FORMAT = new RegExp(`^[0-9]{${TOTP_DIGITS}}$`);

export interface TotpEnrolment {
  /** Base32, for the user to type in when scanning fails; show it once, never store it. */
  readonly secret: string;
  readonly otpauthUri: string;
  /** A plain SVG (two paths, no script, style or links), safe to serve as an image under a strict CSP. */
  readonly qrSvg: string;
  /** What to store: the secret sealed with the purpose `totp:<user id>`. */
  readonly sealedSecret: string;
}

export type TotpVerification =
  | { readonly ok: true; readonly step: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'mismatch' | 'replayed' };

export interface TotpEnrolmentRequest {
  readonly userId: string;
  /** Shown in the app under the issuer, usually the e-mail address. */
  readonly accountLabel: string;
  readonly tenantName: string;
}

export interface TotpVerificationRequest {
  readonly userId: string;
  readonly sealedSecret: string;
  readonly code: string;
  /** The step of the last code this user signed in with; that step and earlier ones are refused. */
  readonly lastUsedStep: number | undefined;
}

export function totpPurpose(userId: string): string {
  return `totp:${userId}`;
}

/** RFC 6238 TOTP for the given Unix time; `digits` is 8 only for the RFC's own test vectors. */
export function totpCode(secret: Uint8Array, unixSeconds: number, digits: 6 | 8 = TOTP_DIGITS): Promise<string> {
  return generate({ secret, epoch: unixSeconds, digits, algorithm: TOTP_ALGORITHM, period: TOTP_PERIOD_SECONDS });
}

export class TotpAuthenticator {
  private readonly base32 = new ScureBase32Plugin();

  constructor(
    private readonly secretBox: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createEnrolment(request: TotpEnrolmentRequest): Promise<TotpEnrolment> {
    const secretBytes = randomBytes(TOTP_SECRET_BYTES);
    const secret = this.base32.encode(secretBytes);
    const otpauthUri = generateURI({
      issuer: withoutColons(`Veilig – ${request.tenantName}`),
      label: withoutColons(request.accountLabel),
      secret,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
    });
    const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    const sealedSecret = this.secretBox.seal(secretBytes, totpPurpose(request.userId));
    return { secret, otpauthUri, qrSvg, sealedSecret };
  }

  /**
   * Checks the code against the current step and one step either side. Every candidate is
   * computed and compared in constant time, with no early exit, and the latest matching step
   * counts: should a code happen to match two steps, recording the earlier one would let the same
   * code through again at the later step.
   */
  async verify(request: TotpVerificationRequest): Promise<TotpVerification> {
    const code = request.code.replace(/\s+/g, '');
    if (!CODE_FORMAT.test(code)) return { ok: false, reason: 'malformed' };

    const secret = this.secretBox.open(request.sealedSecret, totpPurpose(request.userId));
    const currentStep = Math.floor(this.now().getTime() / 1000 / TOTP_PERIOD_SECONDS);
    const given = Buffer.from(code);
    let matchedStep: number | undefined;
    for (let step = currentStep - TOTP_WINDOW_STEPS; step <= currentStep + TOTP_WINDOW_STEPS; step++) {
      const expected = Buffer.from(await totpCode(secret, step * TOTP_PERIOD_SECONDS));
      if (timingSafeEqual(expected, given)) matchedStep = step;
    }

    if (matchedStep === undefined) return { ok: false, reason: 'mismatch' };
    if (request.lastUsedStep !== undefined && matchedStep <= request.lastUsedStep) return { ok: false, reason: 'replayed' };
    return { ok: true, step: matchedStep };
  }
}

/** The otpauth label is `issuer:account`; a colon inside either part would shift that split. */
function withoutColons(text: string): string {
  return text.replaceAll(':', ' ').replace(/\s+/g, ' ').trim();
}
