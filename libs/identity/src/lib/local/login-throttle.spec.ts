import { describe, expect, it } from 'vitest';
import { InMemoryThrottleStore } from './in-memory-throttle-store.js';
import { ipThrottleKey, LoginThrottle, type SignInAttempt } from './login-throttle.js';

function throttleWithClock(): { throttle: LoginThrottle; advanceSeconds: (seconds: number) => void } {
  let now = new Date('2026-03-02T09:00:00Z').getTime();
  const throttle = new LoginThrottle(new InMemoryThrottleStore(), undefined, () => new Date(now));
  return { throttle, advanceSeconds: (seconds) => (now += seconds * 1000) };
}

const jan: SignInAttempt = { tenantId: 'tenant-utrecht', email: 'jan@utrecht.nl', ip: '192.0.2.10' };

async function fail(throttle: LoginThrottle, attempt: SignInAttempt, times: number): Promise<void> {
  for (let failure = 0; failure < times; failure++) await throttle.recordFailure(attempt);
}

describe('LoginThrottle', () => {
  it('[SE-7.1] locks the account for a minute after five consecutive failures', async () => {
    const { throttle } = throttleWithClock();
    await fail(throttle, jan, 4);
    expect(await throttle.check(jan)).toEqual({ allowed: true, reason: undefined });
    expect(await throttle.recordFailure(jan)).toEqual({ allowed: false, reason: 'account-locked', retryAfterSeconds: 60 });
    expect(await throttle.check(jan)).toEqual({ allowed: false, reason: 'account-locked', retryAfterSeconds: 60 });
  });

  it('[SE-7.1] lifts the lock when it expires', async () => {
    const { throttle, advanceSeconds } = throttleWithClock();
    await fail(throttle, jan, 5);
    advanceSeconds(45);
    expect(await throttle.check(jan)).toEqual({ allowed: false, reason: 'account-locked', retryAfterSeconds: 15 });
    advanceSeconds(15);
    expect(await throttle.check(jan)).toEqual({ allowed: true, reason: undefined });
  });

  it('[SE-7.1] doubles the lock with every further failure, up to an hour', async () => {
    const { throttle, advanceSeconds } = throttleWithClock();
    await fail(throttle, jan, 5);
    const locks: number[] = [];
    for (let failure = 0; failure < 8; failure++) {
      advanceSeconds(3600);
      const decision = await throttle.recordFailure(jan);
      locks.push(decision.allowed ? 0 : decision.retryAfterSeconds);
    }
    expect(locks).toEqual([120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it('[SE-7.1] forgets the failures after a complete sign-in', async () => {
    const { throttle } = throttleWithClock();
    await fail(throttle, jan, 4);
    await throttle.recordSuccess(jan);
    await fail(throttle, jan, 4);
    expect(await throttle.check(jan)).toEqual({ allowed: true, reason: undefined });
  });

  it('[SE-7.1] stops counting failures older than a day', async () => {
    const { throttle, advanceSeconds } = throttleWithClock();
    await fail(throttle, jan, 4);
    advanceSeconds(24 * 3600 + 1);
    expect(await throttle.recordFailure(jan)).toEqual({ allowed: true, reason: undefined });
  });

  it('[SE-7.1] locks only that account of that tenant', async () => {
    const { throttle } = throttleWithClock();
    await fail(throttle, jan, 5);
    expect(await throttle.check({ ...jan, email: 'piet@utrecht.nl' })).toEqual({ allowed: true, reason: undefined });
    expect(await throttle.check({ ...jan, tenantId: 'tenant-zeist' })).toEqual({ allowed: true, reason: undefined });
  });

  it('[SE-7.1] [SV-4] blocks an address for 10 minutes after 30 failures in 10 minutes, across accounts', async () => {
    const { throttle, advanceSeconds } = throttleWithClock();
    for (let account = 0; account < 29; account++) await throttle.recordFailure({ ...jan, email: `user${account}@utrecht.nl` });
    expect(await throttle.check({ ...jan, email: 'new@utrecht.nl' })).toEqual({ allowed: true, reason: undefined });
    expect(await throttle.recordFailure({ ...jan, email: 'user29@utrecht.nl' })).toEqual({
      allowed: false,
      reason: 'ip-rate-limited',
      retryAfterSeconds: 600,
    });
    expect(await throttle.check({ ...jan, email: 'new@utrecht.nl' })).toMatchObject({ allowed: false, reason: 'ip-rate-limited' });
    expect(await throttle.check({ ...jan, email: 'new@utrecht.nl', ip: '192.0.2.11' })).toEqual({ allowed: true, reason: undefined });
    advanceSeconds(600);
    expect(await throttle.check({ ...jan, email: 'new@utrecht.nl' })).toEqual({ allowed: true, reason: undefined });
  });

  it('[SE-7.1] counts an address only within its 10-minute window', async () => {
    const { throttle, advanceSeconds } = throttleWithClock();
    for (let account = 0; account < 20; account++) await throttle.recordFailure({ ...jan, email: `a${account}@utrecht.nl` });
    advanceSeconds(601);
    for (let account = 0; account < 20; account++) await throttle.recordFailure({ ...jan, email: `b${account}@utrecht.nl` });
    expect(await throttle.check({ ...jan, email: 'new@utrecht.nl' })).toEqual({ allowed: true, reason: undefined });
  });

  it("[SE-7.1] does not let a success reset the address's count", async () => {
    const { throttle } = throttleWithClock();
    for (let account = 0; account < 29; account++) {
      await throttle.recordFailure({ ...jan, email: `user${account}@utrecht.nl` });
      await throttle.recordSuccess({ ...jan, email: 'attacker@utrecht.nl' });
    }
    expect(await throttle.recordFailure({ ...jan, email: 'last@utrecht.nl' })).toMatchObject({ allowed: false, reason: 'ip-rate-limited' });
  });

  it('[SE-7.1] reports the longer of an account lock and an address block', async () => {
    const { throttle } = throttleWithClock();
    await fail(throttle, jan, 9);
    for (let account = 0; account < 21; account++) await throttle.recordFailure({ ...jan, email: `user${account}@utrecht.nl` });
    // Jan's ninth failure locked him for 16 minutes; the address is blocked for 10.
    expect(await throttle.check(jan)).toEqual({ allowed: false, reason: 'account-locked', retryAfterSeconds: 960 });
    expect(await throttle.check({ ...jan, email: 'new@utrecht.nl' })).toEqual({ allowed: false, reason: 'ip-rate-limited', retryAfterSeconds: 600 });
  });

  it('[SE-7.1] counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(ipThrottleKey('2001:db8:1:2:aaaa::1')).toBe('ip:2001:db8:1:2::/64');
    expect(ipThrottleKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('ip:2001:db8:1:2::/64');
    expect(ipThrottleKey('2001:db8:1:3::1')).toBe('ip:2001:db8:1:3::/64');
    expect(ipThrottleKey('::1')).toBe('ip:0:0:0:0::/64');
    expect(ipThrottleKey('fe80::1%eth0')).toBe('ip:fe80:0:0:0::/64');
    expect(ipThrottleKey('::ffff:192.0.2.10')).toBe('ip:192.0.2.10');
    expect(ipThrottleKey('192.0.2.10')).toBe('ip:192.0.2.10');
  });
});
