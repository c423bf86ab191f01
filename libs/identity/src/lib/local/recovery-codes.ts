import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;

/**
 * Crockford's base32: digits and capitals without I, L, O and U, so nothing on the printed code
 * can be misread; when typed, I and L are read as 1 and O as 0, and case does not matter.
 */
export const RECOVERY_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const GROUPS = 4;
const GROUP_LENGTH = 4;
const CODE_LENGTH = GROUPS * GROUP_LENGTH;
/** 16 characters of 5 bits: 80 bits per code. */
export const RECOVERY_CODE_BITS = CODE_LENGTH * Math.log2(RECOVERY_CODE_ALPHABET.length);

const CANONICAL_FORMAT = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${CODE_LENGTH}}$`);

export interface RecoveryCodeSet {
  /** `XXXX-XXXX-XXXX-XXXX`; shown to the user once, never stored. */
  readonly codes: readonly string[];
  /** What to store, in the same order. */
  readonly hashes: readonly string[];
}

export function generateRecoveryCodes(): RecoveryCodeSet {
  const canonicalCodes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: CODE_LENGTH }, () => RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)]).join(''),
  );
  return {
    codes: canonicalCodes.map((code) => code.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-')),
    hashes: canonicalCodes.map((code) => digestOf(code).toString('hex')),
  };
}

/**
 * The index of the stored hash the code matches, or undefined. Every entry is compared, in
 * constant time, whether or not an earlier one matched. The caller then removes that hash from
 * the store, atomically, so each code works once.
 *
 * Plain SHA-256 rather than a slow password hash is enough because the codes are random, not
 * chosen: finding any one of 10 codes of 80 bits from their hashes takes about 2^77 hashes, out
 * of reach of any GPU farm, and stretching would only slow down the honest check.
 */
export function findRecoveryCode(code: string, storedHashes: readonly string[]): number | undefined {
  const canonical = canonicalRecoveryCode(code);
  if (canonical === undefined) return undefined;
  const given = digestOf(canonical);
  let matchedIndex: number | undefined;
  storedHashes.forEach((storedHash, index) => {
    const stored = Buffer.from(storedHash, 'hex');
    const matches = stored.length === given.length && timingSafeEqual(stored, given);
    if (matches && matchedIndex === undefined) matchedIndex = index;
  });
  return matchedIndex;
}

function canonicalRecoveryCode(code: string): string | undefined {
  const canonical = code
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  return CANONICAL_FORMAT.test(canonical) ? canonical : undefined;
}

function digestOf(canonicalCode: string): Buffer {
  return createHash('sha256').update(canonicalCode).digest();
}
