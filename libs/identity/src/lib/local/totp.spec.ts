import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ScureBase32Plugin } from 'otplib';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretBox, SecretBoxError } from '../secret-box.js';
import { TOTP_PERIOD_SECONDS, TotpAuthenticator, totpCode } from './totp.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const RFC_6238_SECRET = new TextEncoder().encode('12345678901234567890');
const box = new SecretBox({ id: 'k1', key: randomBytes(32) });
// Halfway through a step, so one step either side is exactly 30 seconds away.
const NOW_SECONDS = 1_767_225_615;
const CURRENT_STEP = Math.floor(NOW_SECONDS / TOTP_PERIOD_SECONDS);
const authenticator = new TotpAuthenticator(box, () => new Date(NOW_SECONDS * 1000));

async function enrolledSecret(userId = 'user-1'): Promise<{ sealedSecret: string; secret: Buffer }> {
  const { sealedSecret } = await authenticator.createEnrolment({ userId, accountLabel: 'jan@utrecht.nl', tenantName: 'Gemeente Utrecht' });
  return { sealedSecret, secret: box.open(sealedSecret, `totp:${userId}`) };
}

function codeAtStep(secret: Buffer, step: number): Promise<string> {
  return totpCode(secret, step * TOTP_PERIOD_SECONDS);
}

describe('TOTP (RFC 6238)', () => {
  beforeEach(() => {
    vi.mocked(timingSafeEqual).mockClear();
  });

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('[SE-7.1] matches the RFC 6238 Appendix B SHA-1 vector at T=%i', async (time, expected) => {
    expect(await totpCode(RFC_6238_SECRET, time, 8)).toBe(expected);
    // Six digits are the same truncation modulo 10^6.
    expect(await totpCode(RFC_6238_SECRET, time)).toBe(expected.slice(2));
  });

  it('[SE-7.1] [SV-4] enrols with a 20-byte secret, an otpauth URI for the tenant and a sealed copy', async () => {
    const enrolment = await authenticator.createEnrolment({
      userId: 'user-1',
      accountLabel: 'jan.de.vries@utrecht.nl',
      tenantName: 'Gemeente Utrecht',
    });
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const secretBytes = Buffer.from(new ScureBase32Plugin().decode(enrolment.secret));
    expect(secretBytes).toHaveLength(20);

    const uri = new URL(enrolment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Veilig – Gemeente Utrecht:jan.de.vries@utrecht.nl');
    expect(uri.searchParams.get('secret')).toBe(enrolment.secret);
    expect(uri.searchParams.get('issuer')).toBe('Veilig – Gemeente Utrecht');
    // Absent parameters mean SHA-1, 6 digits and 30 s, the defaults every app assumes.
    expect(uri.searchParams.get('algorithm')).toBeNull();
    expect(uri.searchParams.get('digits')).toBeNull();
    expect(uri.searchParams.get('period')).toBeNull();

    expect(enrolment.sealedSecret).not.toContain(enrolment.secret);
    expect(box.open(enrolment.sealedSecret, 'totp:user-1').equals(secretBytes)).toBe(true);
  });

  it('[SE-7.1] keeps colons out of the otpauth label, which splits issuer and account on the first colon', async () => {
    const { otpauthUri } = await authenticator.createEnrolment({ userId: 'u', accountLabel: 'jan:beheer', tenantName: 'Gemeente A: Noord' });
    expect(decodeURIComponent(new URL(otpauthUri).pathname)).toBe('/Veilig – Gemeente A Noord:jan beheer');
  });

  it('[SE-7.1] renders the QR code as a plain SVG, servable as an image under a strict CSP', async () => {
    const { qrSvg } = await authenticator.createEnrolment({ userId: 'u', accountLabel: 'jan@utrecht.nl', tenantName: 'Utrecht' });
    expect(qrSvg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="[^"]+"/);
    expect(qrSvg.trimEnd()).toMatch(/<\/svg>$/);
    expect(qrSvg).not.toMatch(/<script|<style|style=|\son\w+=|href|<foreignObject|javascript:/i);
    expect(qrSvg).toMatch(/<path [^>]*d="M/);
  });

  it('[SE-7.1] accepts the current code and one step either side; refuses two steps away', async () => {
    const { sealedSecret, secret } = await enrolledSecret();
    for (const offset of [-1, 0, 1]) {
      const code = await codeAtStep(secret, CURRENT_STEP + offset);
      expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code, lastUsedStep: undefined })).toEqual({
        ok: true,
        step: CURRENT_STEP + offset,
      });
    }
    for (const offset of [-2, 2]) {
      const code = await codeAtStep(secret, CURRENT_STEP + offset);
      expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code, lastUsedStep: undefined })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
  });

  it('[SE-7.1] refuses a replayed code: any step at or before the last one used', async () => {
    const { sealedSecret, secret } = await enrolledSecret();
    const code = await codeAtStep(secret, CURRENT_STEP);
    const first = await authenticator.verify({ userId: 'user-1', sealedSecret, code, lastUsedStep: CURRENT_STEP - 1 });
    expect(first).toEqual({ ok: true, step: CURRENT_STEP });
    expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code, lastUsedStep: CURRENT_STEP })).toEqual({
      ok: false,
      reason: 'replayed',
    });
    const earlier = await codeAtStep(secret, CURRENT_STEP - 1);
    expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code: earlier, lastUsedStep: CURRENT_STEP })).toEqual({
      ok: false,
      reason: 'replayed',
    });
    const next = await codeAtStep(secret, CURRENT_STEP + 1);
    expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code: next, lastUsedStep: CURRENT_STEP })).toEqual({
      ok: true,
      step: CURRENT_STEP + 1,
    });
  });

  it('[SE-7.1] records the latest step when a code matches two steps, so it cannot be replayed at the later one', async () => {
    // Found by search: this secret gives the same code one step before and one step after NOW_SECONDS.
    const secret = Buffer.from('9106939a98fe54150722469893df62cfe6bcbd0f', 'hex');
    expect(await codeAtStep(secret, CURRENT_STEP - 1)).toBe('513262');
    expect(await codeAtStep(secret, CURRENT_STEP + 1)).toBe('513262');
    const sealedSecret = box.seal(secret, 'totp:user-1');
    const first = await authenticator.verify({ userId: 'user-1', sealedSecret, code: '513262', lastUsedStep: undefined });
    expect(first).toEqual({ ok: true, step: CURRENT_STEP + 1 });
    expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code: '513262', lastUsedStep: CURRENT_STEP + 1 })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('[SE-7.1] compares every candidate step in constant time, with no early exit', async () => {
    const { sealedSecret, secret } = await enrolledSecret();
    const code = await codeAtStep(secret, CURRENT_STEP - 1);
    vi.mocked(timingSafeEqual).mockClear();
    expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code, lastUsedStep: undefined })).toMatchObject({ ok: true });
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it('[SE-7.1] takes exactly six digits, ignoring whitespace', async () => {
    const { sealedSecret, secret } = await enrolledSecret();
    const code = await codeAtStep(secret, CURRENT_STEP);
    const spaced = ` ${code.slice(0, 3)} ${code.slice(3)}\t`;
    expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code: spaced, lastUsedStep: undefined })).toEqual({
      ok: true,
      step: CURRENT_STEP,
    });
    for (const malformed of [code.slice(0, 5), `${code}0`, 'abcdef', '１２３４５６', `${code.slice(0, 5)}x`, '']) {
      expect(await authenticator.verify({ userId: 'user-1', sealedSecret, code: malformed, lastUsedStep: undefined })).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('[SE-7.1] [SE-6.1] does not open a sealed secret for another user (purpose totp:<user id>)', async () => {
    const { sealedSecret, secret } = await enrolledSecret('user-1');
    const code = await codeAtStep(secret, CURRENT_STEP);
    await expect(authenticator.verify({ userId: 'user-2', sealedSecret, code, lastUsedStep: undefined })).rejects.toThrow(SecretBoxError);
    expect(() => box.open(sealedSecret, 'totp:user-2')).toThrow(SecretBoxError);
  });
});
