export interface RetryPolicy {
  /** Delay after the first failure; it doubles with every further one. Default 1 s. */
  readonly initialDelayMs?: number;
  /** Default 5 minutes. */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY_POLICY = { initialDelayMs: 1_000, maxDelayMs: 5 * 60_000 } as const;

/**
 * How long to wait after the `attempts`-th failure in a row: exponential, capped, and with half
 * of it random, so replicas and destinations that failed together do not retry in step.
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy = {}, random: () => number = Math.random): number {
  const initial = policy.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs;
  const max = policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs;
  const exponential = Math.min(max, initial * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
