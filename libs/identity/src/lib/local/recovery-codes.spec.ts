import { createHash, timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { findRecoveryCode, generateRecoveryCodes, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_BITS } from './recovery-codes.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

describe('recovery codes', () => {
  beforeEach(() => {
    vi.mocked(timingSafeEqual).mockClear();
  });

  it('[SE-7.1] issues 10 distinct codes of 80 bits from an alphabet without look-alikes', () => {
    const { codes } = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(RECOVERY_CODE_ALPHABET).not.toMatch(/[ILOU]/);
    expect(RECOVERY_CODE_BITS).toBe(80);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  });

  it('[SE-7.1] stores SHA-256 hashes only, never the codes', () => {
    const { codes, hashes } = generateRecoveryCodes();
    expect(hashes).toHaveLength(10);
    hashes.forEach((hash, index) => {
      expect(hash).toBe(createHash('sha256').update(codes[index]!.replaceAll('-', '')).digest('hex'));
      expect(hash).not.toContain(codes[index]!.replaceAll('-', '').toLowerCase());
    });
  });

  it('[SE-7.1] finds a code as typed: any case, spaces or dashes, I and L for 1, O for 0', () => {
    const { codes, hashes } = generateRecoveryCodes();
    expect(findRecoveryCode(codes[3]!, hashes)).toBe(3);
    expect(findRecoveryCode(codes[3]!.toLowerCase().replaceAll('-', ' '), hashes)).toBe(3);
    expect(findRecoveryCode(codes[3]!.replaceAll('-', ''), hashes)).toBe(3);
    const stored = [createHash('sha256').update('10010ABCDEFGHJKM').digest('hex')];
    expect(findRecoveryCode('lOOI-oabc-defg-hjkm', stored)).toBe(0);
    expect(findRecoveryCode('1001-0ABC-DEFG-HJKN', stored)).toBeUndefined();
  });

  it('[SE-7.1] works once: without its hash the same code no longer matches', () => {
    const { codes, hashes } = generateRecoveryCodes();
    const index = findRecoveryCode(codes[0]!, hashes);
    expect(index).toBe(0);
    const remaining = hashes.filter((_, position) => position !== index);
    expect(findRecoveryCode(codes[0]!, remaining)).toBeUndefined();
    expect(findRecoveryCode(codes[1]!, remaining)).toBe(0);
  });

  it('[SE-7.1] compares every stored hash in constant time, even after a match', () => {
    const { codes, hashes } = generateRecoveryCodes();
    vi.mocked(timingSafeEqual).mockClear();
    expect(findRecoveryCode(codes[0]!, hashes)).toBe(0);
    expect(timingSafeEqual).toHaveBeenCalledTimes(10);
  });

  it('[SE-7.1] refuses what cannot be a code without comparing', () => {
    const { codes, hashes } = generateRecoveryCodes();
    vi.mocked(timingSafeEqual).mockClear();
    expect(findRecoveryCode(codes[0]!.slice(0, -1), hashes)).toBeUndefined();
    expect(findRecoveryCode(`${codes[0]!.slice(0, -1)}U`, hashes)).toBeUndefined();
    expect(findRecoveryCode('', hashes)).toBeUndefined();
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });
});
