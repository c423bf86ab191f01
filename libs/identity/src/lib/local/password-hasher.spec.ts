import * as argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { ARGON2ID_PARAMETERS, OWASP_MINIMUM_ARGON2ID, PasswordHasher } from './password-hasher.js';

function parametersOf(hash: string): Record<string, number> {
  const [, id, version, parameters] = hash.split('$');
  expect(id).toBe('argon2id');
  expect(version).toBe('v=19');
  return Object.fromEntries(parameters!.split(',').map((pair) => [pair.split('=')[0]!, Number(pair.split('=')[1])]));
}

describe('PasswordHasher', () => {
  it('[SE-7.1] hashes with argon2id, 64 MiB, 3 passes, 1 lane — above the OWASP minimum', async () => {
    const hash = await new PasswordHasher().hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(parametersOf(hash)).toEqual({ m: 65536, t: 3, p: 1 });
    expect(ARGON2ID_PARAMETERS.memoryCostKiB).toBeGreaterThanOrEqual(OWASP_MINIMUM_ARGON2ID.memoryCostKiB);
    expect(ARGON2ID_PARAMETERS.timeCost).toBeGreaterThanOrEqual(OWASP_MINIMUM_ARGON2ID.timeCost);
  });

  it('[SE-7.1] verifies the right password only, and salts every hash', async () => {
    const hasher = new PasswordHasher(OWASP_MINIMUM_ARGON2ID);
    const hash = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse battery stapler')).toBe(false);
    expect(await hasher.hash('correct horse battery staple')).not.toBe(hash);
  });

  it('[SE-7.1] hashes the NFKC form, so both ways of typing a character verify', async () => {
    const hasher = new PasswordHasher(OWASP_MINIMUM_ARGON2ID);
    const hash = await hasher.hash('cafe\u0301 op de ﬁets');
    expect(await hasher.verify(hash, 'café op de fiets')).toBe(true);
  });

  it('[SE-7.1] refuses parameters below the OWASP minimum', () => {
    expect(() => new PasswordHasher({ memoryCostKiB: 16 * 1024, timeCost: 2, parallelism: 1 })).toThrow(/OWASP minimum/);
    expect(() => new PasswordHasher({ memoryCostKiB: 19 * 1024, timeCost: 1, parallelism: 1 })).toThrow(/OWASP minimum/);
  });

  it('[SE-7.1] asks for a rehash when the hash predates the current parameters or algorithm', async () => {
    const current = new PasswordHasher(OWASP_MINIMUM_ARGON2ID);
    const stronger = new PasswordHasher({ ...OWASP_MINIMUM_ARGON2ID, memoryCostKiB: 20 * 1024 });
    const hash = await current.hash('correct horse battery staple');
    expect(current.needsRehash(hash)).toBe(false);
    expect(stronger.needsRehash(hash)).toBe(true);
    const argon2i = await argon2.hash('correct horse battery staple', { type: argon2.argon2i, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
    expect(current.needsRehash(argon2i)).toBe(true);
  });
});
