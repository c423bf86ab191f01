import { isIPv4, isIPv6 } from 'node:net';

export type ThrottleOutcome = 'success' | 'failure';

/** Counters per key; the PostgreSQL implementation must make `record` and `lock` atomic per key. */
export interface ThrottleStore {
  record(key: string, outcome: ThrottleOutcome, at: Date): Promise<void>;
  /** Failures recorded at or after `since`, and since the last `clear`. */
  recentFailures(key: string, since: Date): Promise<number>;
  /** The end of the last lock set on the key, past or future; undefined when never locked or cleared. */
  lockedUntil(key: string): Promise<Date | undefined>;
  lock(key: string, until: Date): Promise<void>;
  /** Forgets the key's failures and lock. */
  clear(key: string): Promise<void>;
}

export interface LoginThrottlePolicy {
  /** Consecutive failures (password or second factor) after which the account locks. */
  readonly accountFailuresBeforeLock: number;
  /** The first lock; each further failure doubles it. */
  readonly accountFirstLockSeconds: number;
  readonly accountMaxLockSeconds: number;
  /** Failures older than this no longer count, so a typo last month does not count towards a lock today. */
  readonly accountFailureMemorySeconds: number;
  readonly ipFailuresBeforeBlock: number;
  readonly ipWindowSeconds: number;
  readonly ipBlockSeconds: number;
}

/**
 * After the fifth failure an account locks for 1 minute, then 2, 4, … minutes for every further
 * failure, up to an hour: an attacker gets one guess an hour once the lock is at its maximum,
 * while a user who mistypes a few times waits a minute. The lock stops at an hour because anyone
 * who knows an e-mail address can trigger it. Per address, 30 failures in 10 minutes catch one
 * source spraying many accounts, which the per-account lock cannot see.
 */
export const DEFAULT_LOGIN_THROTTLE_POLICY: LoginThrottlePolicy = {
  accountFailuresBeforeLock: 5,
  accountFirstLockSeconds: 60,
  accountMaxLockSeconds: 60 * 60,
  accountFailureMemorySeconds: 24 * 60 * 60,
  ipFailuresBeforeBlock: 30,
  ipWindowSeconds: 10 * 60,
  ipBlockSeconds: 10 * 60,
};

/**
 * Who is signing in: the account as typed (tenant and normalised e-mail address, whether or not
 * such an account exists, so locks cannot tell existing accounts from unknown ones) and the
 * client's address.
 */
export interface SignInAttempt {
  readonly tenantId: string;
  readonly email: string;
  readonly ip: string;
}

export type ThrottleDecision =
  | { readonly allowed: true; readonly reason: undefined }
  | { readonly allowed: false; readonly reason: 'account-locked' | 'ip-rate-limited'; readonly retryAfterSeconds: number };

export class LoginThrottle {
  constructor(
    private readonly store: ThrottleStore,
    private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE_POLICY,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async check(attempt: SignInAttempt): Promise<ThrottleDecision> {
    const at = this.now();
    const [accountLockedUntil, ipLockedUntil] = await Promise.all([
      this.store.lockedUntil(accountThrottleKey(attempt)),
      this.store.lockedUntil(ipThrottleKey(attempt.ip)),
    ]);
    const locks = [
      { reason: 'account-locked' as const, until: accountLockedUntil },
      { reason: 'ip-rate-limited' as const, until: ipLockedUntil },
    ].filter((lock): lock is { reason: typeof lock.reason; until: Date } => lock.until !== undefined && lock.until > at);
    if (locks.length === 0) return { allowed: true, reason: undefined };
    const longest = locks.reduce((longer, lock) => (lock.until > longer.until ? lock : longer));
    return { allowed: false, reason: longest.reason, retryAfterSeconds: Math.ceil((longest.until.getTime() - at.getTime()) / 1000) };
  }

  /** Records a failed password or second factor and returns the decision for the next attempt. */
  async recordFailure(attempt: SignInAttempt): Promise<ThrottleDecision> {
    const at = this.now();
    const accountKey = accountThrottleKey(attempt);
    const ipKey = ipThrottleKey(attempt.ip);
    await Promise.all([this.store.record(accountKey, 'failure', at), this.store.record(ipKey, 'failure', at)]);
    const [accountFailures, ipFailures] = await Promise.all([
      this.store.recentFailures(accountKey, secondsBefore(at, this.policy.accountFailureMemorySeconds)),
      this.store.recentFailures(ipKey, secondsBefore(at, this.policy.ipWindowSeconds)),
    ]);

    const failuresOverThreshold = accountFailures - this.policy.accountFailuresBeforeLock;
    if (failuresOverThreshold >= 0) {
      const lockSeconds = Math.min(this.policy.accountFirstLockSeconds * 2 ** failuresOverThreshold, this.policy.accountMaxLockSeconds);
      await this.store.lock(accountKey, secondsAfter(at, lockSeconds));
    }
    if (ipFailures >= this.policy.ipFailuresBeforeBlock) {
      await this.store.lock(ipKey, secondsAfter(at, this.policy.ipBlockSeconds));
    }
    return this.check(attempt);
  }

  /**
   * A complete sign-in (password and second factor) ends the account's run of failures. The
   * address keeps its count: otherwise an attacker could reset it by signing in to an account of
   * their own between guesses. Its success is recorded for the address's audit trail only.
   */
  async recordSuccess(attempt: SignInAttempt): Promise<void> {
    await Promise.all([
      this.store.clear(accountThrottleKey(attempt)),
      this.store.record(ipThrottleKey(attempt.ip), 'success', this.now()),
    ]);
  }
}

export function accountThrottleKey(attempt: Pick<SignInAttempt, 'tenantId' | 'email'>): string {
  return `account:${attempt.tenantId}:${attempt.email}`;
}

/**
 * IPv6 addresses count per /64: that is what one subscriber gets, so an attacker can rotate the
 * low 64 bits at will. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function ipThrottleKey(ip: string): string {
  const address = ip.split('%')[0]!;
  if (isIPv4(address)) return `ip:${address}`;
  if (!isIPv6(address)) return `ip:${address}`;
  const hextets = ipv6Hextets(address);
  const isIPv4Mapped = hextets.slice(0, 5).every((hextet) => hextet === 0) && hextets[5] === 0xffff;
  if (isIPv4Mapped) return `ip:${[hextets[6]! >> 8, hextets[6]! & 0xff, hextets[7]! >> 8, hextets[7]! & 0xff].join('.')}`;
  return `ip:${hextets
    .slice(0, 4)
    .map((hextet) => hextet.toString(16))
    .join(':')}::/64`;
}

function ipv6Hextets(address: string): number[] {
  const parse = (groups: string): number[] =>
    groups === ''
      ? []
      : groups.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const headHextets = parse(head);
  if (tail === undefined) return headHextets;
  const tailHextets = parse(tail);
  return [...headHextets, ...new Array<number>(8 - headHextets.length - tailHextets.length).fill(0), ...tailHextets];
}

function secondsBefore(at: Date, seconds: number): Date {
  return new Date(at.getTime() - seconds * 1000);
}

function secondsAfter(at: Date, seconds: number): Date {
  return new Date(at.getTime() + seconds * 1000);
}
