import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Redis from test/support/global-setup.ts; every test file keeps to a key prefix of its own. */
    redisUrl: string;
  }
}

/** The URL of the Redis the test run uses (TEST_REDIS_URL, or a throw-away redis-server). */
export function redisTestUrl(): string {
  return inject('redisUrl');
}
