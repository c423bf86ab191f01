import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SecretBox } from '../secret-box.js';
import { InMemoryThrottleStore } from './in-memory-throttle-store.js';
import { LocalSignIn, normaliseEmail, type LocalAccount, type LocalAccountStore } from './local-sign-in.js';
import { DEFAULT_LOGIN_THROTTLE_POLICY, LoginThrottle, type LoginThrottlePolicy } from './login-throttle.js';
import { OWASP_MINIMUM_ARGON2ID, PasswordHasher } from './password-hasher.js';
import { generateRecoveryCodes } from './recovery-codes.js';
import { TOTP_PERIOD_SECONDS, TotpAuthenticator, totpCode } from './totp.js';

class InMemoryAccountStore implements LocalAccountStore {
  readonly accounts = new Map<string, LocalAccount>();

  async findByEmail(tenantId: string, normalisedEmail: string): Promise<LocalAccount | undefined> {
    return [...this.accounts.values()].find((account) => account.tenantId === tenantId && normaliseEmail(account.email) === normalisedEmail);
  }

  async findById(tenantId: string, userId: string): Promise<LocalAccount | undefined> {
    const account = this.accounts.get(userId);
    return account?.tenantId === tenantId ? account : undefined;
  }

  async advanceTotpStep(_tenantId: string, userId: string, step: number): Promise<boolean> {
    const account = this.accounts.get(userId)!;
    if (!account.totp || (account.totp.lastUsedStep !== undefined && account.totp.lastUsedStep >= step)) return false;
    this.accounts.set(userId, { ...account, totp: { ...account.totp, lastUsedStep: step } });
    return true;
  }

  async removeRecoveryCode(_tenantId: string, userId: string, codeHash: string): Promise<boolean> {
    const account = this.accounts.get(userId)!;
    if (!account.recoveryCodeHashes.includes(codeHash)) return false;
    this.accounts.set(userId, { ...account, recoveryCodeHashes: account.recoveryCodeHashes.filter((hash) => hash !== codeHash) });
    return true;
  }

  async replacePasswordHash(_tenantId: string, userId: string, passwordHash: string): Promise<void> {
    this.accounts.set(userId, { ...this.accounts.get(userId)!, passwordHash });
  }
}

const TENANT = 'tenant-utrecht';
const PASSWORD = 'fietsen langs de grachten';
const IP = '192.0.2.10';
const NOW_SECONDS = 1_767_225_615;
const box = new SecretBox({ id: 'k1', key: randomBytes(32) });
const hasher = new PasswordHasher(OWASP_MINIMUM_ARGON2ID);
const totp = new TotpAuthenticator(box, () => new Date(NOW_SECONDS * 1000));
let passwordHash: string;

beforeAll(async () => {
  passwordHash = await hasher.hash(PASSWORD);
});

async function setUp(options: { enrolled?: boolean; policy?: LoginThrottlePolicy; signInHasher?: PasswordHasher } = {}) {
  const accounts = new InMemoryAccountStore();
  const { sealedSecret } = await totp.createEnrolment({ userId: 'user-jan', accountLabel: 'jan@utrecht.nl', tenantName: 'Utrecht' });
  const recovery = generateRecoveryCodes();
  accounts.accounts.set('user-jan', {
    id: 'user-jan',
    tenantId: TENANT,
    email: 'Jan.de.Vries@Utrecht.nl',
    passwordHash,
    totp: options.enrolled === false ? undefined : { sealedSecret, lastUsedStep: undefined },
    recoveryCodeHashes: recovery.hashes,
  });
  const signInHasher = options.signInHasher ?? hasher;
  const throttle = new LoginThrottle(new InMemoryThrottleStore(), options.policy, () => new Date(NOW_SECONDS * 1000));
  const signIn = new LocalSignIn({ accounts, throttle, hasher: signInHasher, totp });
  const currentCode = async () => totpCode(box.open(sealedSecret, 'totp:user-jan'), NOW_SECONDS);
  return { accounts, signIn, recoveryCodes: recovery.codes, currentCode, signInHasher };
}

const janAttempt = { tenantId: TENANT, email: 'jan.de.vries@utrecht.nl', password: PASSWORD, ip: IP };

describe('LocalSignIn', () => {
  it('[SE-7.1] [SV-4] signs in with password and TOTP code', async () => {
    const { signIn, accounts, currentCode } = await setUp();
    expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: true, userId: 'user-jan', passwordRehashed: false });
    const result = await signIn.verifySecondFactor({ tenantId: TENANT, userId: 'user-jan', factor: { kind: 'totp', code: await currentCode() }, ip: IP });
    expect(result).toEqual({ ok: true, userId: 'user-jan', authMethod: 'password+totp', remainingRecoveryCodes: 10 });
    expect(accounts.accounts.get('user-jan')!.totp!.lastUsedStep).toBe(Math.floor(NOW_SECONDS / TOTP_PERIOD_SECONDS));
  });

  it('[SE-7.1] finds the account whatever the case and spacing of the e-mail address', async () => {
    const { signIn } = await setUp();
    expect(await signIn.verifyPassword({ ...janAttempt, email: '  JAN.DE.VRIES@utrecht.NL ' })).toMatchObject({ ok: true, userId: 'user-jan' });
  });

  it('[SE-7.1] refuses a TOTP code used before, also when two requests race with it', async () => {
    const { signIn, currentCode } = await setUp();
    const attempt = { tenantId: TENANT, userId: 'user-jan', factor: { kind: 'totp' as const, code: await currentCode() }, ip: IP };
    const [first, second] = await Promise.all([signIn.verifySecondFactor(attempt), signIn.verifySecondFactor(attempt)]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    expect([first, second].find((result) => !result.ok)).toEqual({ ok: false, reason: 'totp-replayed', userId: 'user-jan' });
    expect(await signIn.verifySecondFactor(attempt)).toEqual({ ok: false, reason: 'totp-replayed', userId: 'user-jan' });
  });

  it('[SE-7.1] tells the audit log which second-factor check failed', async () => {
    const { signIn, currentCode } = await setUp();
    const code = await currentCode();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const attempt = { tenantId: TENANT, userId: 'user-jan', ip: IP };
    expect(await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code: wrong } })).toEqual({
      ok: false,
      reason: 'bad-totp',
      userId: 'user-jan',
    });
    expect(await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code: '12345' } })).toEqual({
      ok: false,
      reason: 'malformed-totp',
      userId: 'user-jan',
    });
    expect(await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'recovery-code', code: 'AAAA-BBBB-CCCC-DDDD' } })).toEqual({
      ok: false,
      reason: 'bad-recovery-code',
      userId: 'user-jan',
    });
    expect(await signIn.verifySecondFactor({ ...attempt, userId: 'user-gone', factor: { kind: 'totp', code } })).toEqual({
      ok: false,
      reason: 'unknown-account',
    });
  });

  it('[SE-7.1] accepts each recovery code once', async () => {
    const { signIn, recoveryCodes } = await setUp();
    const attempt = { tenantId: TENANT, userId: 'user-jan', factor: { kind: 'recovery-code' as const, code: recoveryCodes[4]! }, ip: IP };
    expect(await signIn.verifySecondFactor(attempt)).toEqual({
      ok: true,
      userId: 'user-jan',
      authMethod: 'password+recovery-code',
      remainingRecoveryCodes: 9,
    });
    expect(await signIn.verifySecondFactor(attempt)).toEqual({ ok: false, reason: 'bad-recovery-code', userId: 'user-jan' });
  });

  it('[SE-7.1] reports a recovery code another sign-in used a moment earlier', async () => {
    const { signIn, recoveryCodes } = await setUp();
    const attempt = { tenantId: TENANT, userId: 'user-jan', factor: { kind: 'recovery-code' as const, code: recoveryCodes[0]! }, ip: IP };
    const results = await Promise.all([signIn.verifySecondFactor(attempt), signIn.verifySecondFactor(attempt)]);
    expect(results.map((result) => (result.ok ? 'ok' : result.reason)).sort()).toEqual(['ok', 'recovery-code-used']);
  });

  it('[SE-7.1] never signs in with a password alone: an account without TOTP is refused', async () => {
    const { signIn, recoveryCodes } = await setUp({ enrolled: false });
    expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: false, reason: 'totp-not-enrolled', userId: 'user-jan' });
    expect(
      await signIn.verifySecondFactor({ tenantId: TENANT, userId: 'user-jan', factor: { kind: 'recovery-code', code: recoveryCodes[0]! }, ip: IP }),
    ).toEqual({ ok: false, reason: 'totp-not-enrolled', userId: 'user-jan' });
  });

  it('[SE-7.1] refuses a wrong password', async () => {
    const { signIn } = await setUp();
    expect(await signIn.verifyPassword({ ...janAttempt, password: 'fietsen langs de gracht' })).toEqual({
      ok: false,
      reason: 'bad-password',
      userId: 'user-jan',
    });
  });

  it('[SE-7.1] verifies against a dummy argon2id hash for an unknown account, so it takes as long', async () => {
    const { signIn, signInHasher } = await setUp();
    const verify = vi.spyOn(signInHasher, 'verify');
    try {
      expect(await signIn.verifyPassword({ ...janAttempt, email: 'piet@utrecht.nl' })).toEqual({ ok: false, reason: 'unknown-account' });
      expect(verify).toHaveBeenCalledTimes(1);
      const [dummyHash, password] = verify.mock.calls[0]!;
      expect(dummyHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(dummyHash).not.toBe(passwordHash);
      expect(password).toBe(PASSWORD);
    } finally {
      verify.mockRestore();
    }
  });

  it('[SE-7.1] locks the account after five failures, without verifying the password while locked', async () => {
    const { signIn, signInHasher } = await setUp();
    for (let failure = 0; failure < 5; failure++) {
      expect(await signIn.verifyPassword({ ...janAttempt, password: 'verkeerd wachtwoord' })).toMatchObject({ reason: 'bad-password' });
    }
    const verify = vi.spyOn(signInHasher, 'verify');
    try {
      expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 60 });
      expect(verify).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
    }
  });

  it('[SE-7.1] locks unknown accounts alike, so a lock does not reveal that an account exists', async () => {
    const { signIn } = await setUp();
    const piet = { ...janAttempt, email: 'piet@utrecht.nl' };
    for (let failure = 0; failure < 5; failure++) await signIn.verifyPassword(piet);
    expect(await signIn.verifyPassword(piet)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 60 });
  });

  it('[SE-7.1] counts wrong TOTP codes towards the same lock, and a complete sign-in clears it', async () => {
    const { signIn, currentCode } = await setUp();
    const code = await currentCode();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const attempt = { tenantId: TENANT, userId: 'user-jan', ip: IP };
    for (let failure = 0; failure < 4; failure++) await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code: wrong } });
    expect(await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code } })).toMatchObject({ ok: true });
    for (let failure = 0; failure < 4; failure++) await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code: wrong } });
    expect(await signIn.verifyPassword(janAttempt)).toMatchObject({ ok: true });
    await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code: wrong } });
    expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 60 });
    expect(await signIn.verifySecondFactor({ ...attempt, factor: { kind: 'totp', code } })).toEqual({
      ok: false,
      reason: 'locked',
      userId: 'user-jan',
      retryAfterSeconds: 60,
    });
  });

  it('[SE-7.1] [SV-4] refuses an address that failed too often across accounts', async () => {
    const { signIn } = await setUp({ policy: { ...DEFAULT_LOGIN_THROTTLE_POLICY, ipFailuresBeforeBlock: 3 } });
    for (const email of ['a@utrecht.nl', 'b@utrecht.nl', 'c@utrecht.nl']) await signIn.verifyPassword({ ...janAttempt, email });
    expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: false, reason: 'rate-limited', retryAfterSeconds: 600 });
    expect(await signIn.verifyPassword({ ...janAttempt, ip: '192.0.2.99' })).toMatchObject({ ok: true });
  });

  it('[SE-7.1] rehashes a correct password whose hash predates the current parameters', async () => {
    const stronger = new PasswordHasher({ ...OWASP_MINIMUM_ARGON2ID, memoryCostKiB: 20 * 1024 });
    const { signIn, accounts } = await setUp({ signInHasher: stronger });
    expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: true, userId: 'user-jan', passwordRehashed: true });
    const rehashed = accounts.accounts.get('user-jan')!.passwordHash;
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=20480,p=1,t=2\$/);
    expect(await stronger.verify(rehashed, PASSWORD)).toBe(true);
    expect(await signIn.verifyPassword(janAttempt)).toEqual({ ok: true, userId: 'user-jan', passwordRehashed: false });
  });
});
