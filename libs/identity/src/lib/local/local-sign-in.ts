import { randomBytes } from 'node:crypto';
import type { AuthMethod } from '../sessions/session-store.js';
import type { LoginThrottle, SignInAttempt, ThrottleDecision } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { findRecoveryCode } from './recovery-codes.js';
import type { TotpAuthenticator, TotpVerification } from './totp.js';

/** A user of a local-2fa tenant, as the sign-in needs it. */
export interface LocalAccount {
  readonly id: string;
  readonly tenantId: string;
  readonly email: string;
  readonly passwordHash: string;
  /** Undefined until the user confirmed the enrolment with a first valid code. */
  readonly totp: { readonly sealedSecret: string; readonly lastUsedStep: number | undefined } | undefined;
  /** Hashes of the recovery codes not used yet. */
  readonly recoveryCodeHashes: readonly string[];
}

export interface LocalAccountStore {
  /** Matches the stored address in its normaliseEmail form. */
  findByEmail(tenantId: string, normalisedEmail: string): Promise<LocalAccount | undefined>;
  findById(tenantId: string, userId: string): Promise<LocalAccount | undefined>;
  /**
   * Compare-and-set: stores the step only when it is later than the stored one. False when a
   * concurrent sign-in already used this step or a later one, i.e. the code is being replayed.
   */
  advanceTotpStep(tenantId: string, userId: string, step: number): Promise<boolean>;
  /** Removes the hash if it is still there; false when a concurrent sign-in used the code first. */
  removeRecoveryCode(tenantId: string, userId: string, codeHash: string): Promise<boolean>;
  replacePasswordHash(tenantId: string, userId: string, passwordHash: string): Promise<void>;
}

export interface LocalSignInDependencies {
  readonly accounts: LocalAccountStore;
  readonly throttle: LoginThrottle;
  readonly hasher: PasswordHasher;
  readonly totp: TotpAuthenticator;
}

export interface PasswordAttempt {
  readonly tenantId: string;
  readonly email: string;
  readonly password: string;
  readonly ip: string;
}

export type SecondFactor = { readonly kind: 'totp'; readonly code: string } | { readonly kind: 'recovery-code'; readonly code: string };

export interface SecondFactorAttempt {
  readonly tenantId: string;
  /** The user whose password this pending sign-in verified; never an id taken from the request. */
  readonly userId: string;
  readonly factor: SecondFactor;
  readonly ip: string;
}

/** Precise, for the audit log only: the user sees one message for every failure. */
export type PasswordFailureReason = 'locked' | 'rate-limited' | 'unknown-account' | 'bad-password' | 'totp-not-enrolled';

export type SecondFactorFailureReason =
  | 'locked'
  | 'rate-limited'
  | 'unknown-account'
  | 'totp-not-enrolled'
  | 'malformed-totp'
  | 'bad-totp'
  | 'totp-replayed'
  | 'bad-recovery-code'
  | 'recovery-code-used';

export type PasswordVerification =
  | { readonly ok: true; readonly userId: string; readonly passwordRehashed: boolean }
  | { readonly ok: false; readonly reason: PasswordFailureReason; readonly userId?: string; readonly retryAfterSeconds?: number };

export type SecondFactorVerification =
  | {
      readonly ok: true;
      readonly userId: string;
      readonly authMethod: Extract<AuthMethod, 'password+totp' | 'password+recovery-code'>;
      /** Worth a warning to the user when it gets low. */
      readonly remainingRecoveryCodes: number;
    }
  | { readonly ok: false; readonly reason: SecondFactorFailureReason; readonly userId?: string; readonly retryAfterSeconds?: number };

/** Case, surrounding spaces and Unicode compatibility forms do not make a different account. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/**
 * The sign-in of tenants that cannot federate (SE-7.1, SV-4): a password, then a TOTP code or a
 * recovery code. Every failure of either step counts towards the account's and the address's
 * throttle; only a completed second step clears the account's count.
 */
export class LocalSignIn {
  private dummyPasswordHash: Promise<string> | undefined;

  constructor(private readonly dependencies: LocalSignInDependencies) {}

  async verifyPassword(attempt: PasswordAttempt): Promise<PasswordVerification> {
    const { accounts, throttle, hasher } = this.dependencies;
    const signInAttempt: SignInAttempt = { tenantId: attempt.tenantId, email: normaliseEmail(attempt.email), ip: attempt.ip };
    const decision = await throttle.check(signInAttempt);
    if (!decision.allowed) return refusedBy(decision);

    const account = await accounts.findByEmail(signInAttempt.tenantId, signInAttempt.email);
    if (!account) {
      // Costs what a real verification costs, so the response time does not tell whether the account exists.
      await hasher.verify(await this.dummyHash(), attempt.password);
      await throttle.recordFailure(signInAttempt);
      return { ok: false, reason: 'unknown-account' };
    }
    if (!(await hasher.verify(account.passwordHash, attempt.password))) {
      await throttle.recordFailure(signInAttempt);
      return { ok: false, reason: 'bad-password', userId: account.id };
    }
    if (!account.totp) return { ok: false, reason: 'totp-not-enrolled', userId: account.id };

    const passwordRehashed = hasher.needsRehash(account.passwordHash);
    if (passwordRehashed) await accounts.replacePasswordHash(account.tenantId, account.id, await hasher.hash(attempt.password));
    return { ok: true, userId: account.id, passwordRehashed };
  }

  /** Call only for the user whose password this pending sign-in verified. */
  async verifySecondFactor(attempt: SecondFactorAttempt): Promise<SecondFactorVerification> {
    const { accounts, throttle } = this.dependencies;
    const account = await accounts.findById(attempt.tenantId, attempt.userId);
    if (!account) return { ok: false, reason: 'unknown-account' };
    const signInAttempt: SignInAttempt = { tenantId: account.tenantId, email: normaliseEmail(account.email), ip: attempt.ip };
    const decision = await throttle.check(signInAttempt);
    if (!decision.allowed) return { ...refusedBy(decision), userId: account.id };
    if (!account.totp) return { ok: false, reason: 'totp-not-enrolled', userId: account.id };

    const outcome =
      attempt.factor.kind === 'totp'
        ? await this.checkTotp(account, account.totp, attempt.factor.code)
        : await this.checkRecoveryCode(account, attempt.factor.code);
    if (!outcome.ok) {
      await throttle.recordFailure(signInAttempt);
      return { ok: false, reason: outcome.reason, userId: account.id };
    }
    await throttle.recordSuccess(signInAttempt);
    return { ok: true, userId: account.id, authMethod: outcome.authMethod, remainingRecoveryCodes: outcome.remainingRecoveryCodes };
  }

  private async checkTotp(
    account: LocalAccount,
    totp: NonNullable<LocalAccount['totp']>,
    code: string,
  ): Promise<SecondFactorOutcome> {
    const verification = await this.dependencies.totp.verify({
      userId: account.id,
      sealedSecret: totp.sealedSecret,
      code,
      lastUsedStep: totp.lastUsedStep,
    });
    if (!verification.ok) return { ok: false, reason: TOTP_FAILURE_REASONS[verification.reason] };
    if (!(await this.dependencies.accounts.advanceTotpStep(account.tenantId, account.id, verification.step))) {
      return { ok: false, reason: 'totp-replayed' };
    }
    return { ok: true, authMethod: 'password+totp', remainingRecoveryCodes: account.recoveryCodeHashes.length };
  }

  private async checkRecoveryCode(account: LocalAccount, code: string): Promise<SecondFactorOutcome> {
    const index = findRecoveryCode(code, account.recoveryCodeHashes);
    if (index === undefined) return { ok: false, reason: 'bad-recovery-code' };
    if (!(await this.dependencies.accounts.removeRecoveryCode(account.tenantId, account.id, account.recoveryCodeHashes[index]!))) {
      return { ok: false, reason: 'recovery-code-used' };
    }
    return { ok: true, authMethod: 'password+recovery-code', remainingRecoveryCodes: account.recoveryCodeHashes.length - 1 };
  }

  /** Hashed once, with the hasher's own parameters, so it costs what a stored hash costs. */
  private dummyHash(): Promise<string> {
    this.dummyPasswordHash ??= this.dependencies.hasher.hash(randomBytes(32).toString('base64url'));
    return this.dummyPasswordHash;
  }
}

type SecondFactorOutcome =
  | { readonly ok: true; readonly authMethod: Extract<AuthMethod, 'password+totp' | 'password+recovery-code'>; readonly remainingRecoveryCodes: number }
  | { readonly ok: false; readonly reason: SecondFactorFailureReason };

const TOTP_FAILURE_REASONS = {
  malformed: 'malformed-totp',
  mismatch: 'bad-totp',
  replayed: 'totp-replayed',
} as const satisfies Record<Extract<TotpVerification, { ok: false }>['reason'], SecondFactorFailureReason>;

function refusedBy(decision: Extract<ThrottleDecision, { allowed: false }>): {
  ok: false;
  reason: 'locked' | 'rate-limited';
  retryAfterSeconds: number;
} {
  return {
    ok: false,
    reason: decision.reason === 'account-locked' ? 'locked' : 'rate-limited',
    retryAfterSeconds: decision.retryAfterSeconds,
  };
}
