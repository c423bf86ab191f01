import type { ThrottleOutcome, ThrottleStore } from './login-throttle.js';

/**
 * The ThrottleStore contract in its simplest form: what the specs run against, and the semantics
 * the PostgreSQL store must match. Not for production: it forgets everything on restart, is not
 * shared between instances, and never prunes old outcomes.
 */
export class InMemoryThrottleStore implements ThrottleStore {
  private readonly outcomes = new Map<string, { outcome: ThrottleOutcome; at: Date }[]>();
  private readonly locks = new Map<string, Date>();

  async record(key: string, outcome: ThrottleOutcome, at: Date): Promise<void> {
    this.outcomes.set(key, [...(this.outcomes.get(key) ?? []), { outcome, at }]);
  }

  async recentFailures(key: string, since: Date): Promise<number> {
    return (this.outcomes.get(key) ?? []).filter((entry) => entry.outcome === 'failure' && entry.at >= since).length;
  }

  async lockedUntil(key: string): Promise<Date | undefined> {
    return this.locks.get(key);
  }

  async lock(key: string, until: Date): Promise<void> {
    this.locks.set(key, until);
  }

  async clear(key: string): Promise<void> {
    this.outcomes.delete(key);
    this.locks.delete(key);
  }
}
