import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.js';

describe('retry delay', () => {
  it('doubles from 1 s up to 5 minutes, with up to half of it random', () => {
    const lowest = (attempts: number) => retryDelayMs(attempts, {}, () => 0);
    const highest = (attempts: number) => retryDelayMs(attempts, {}, () => 1);
    expect([1, 2, 3, 4].map(highest)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map(lowest)).toEqual([500, 1_000, 2_000, 4_000]);
    expect(highest(9)).toBe(256_000);
    expect(highest(10)).toBe(300_000);
    expect(highest(1_000)).toBe(300_000);
  });

  it('follows a configured policy', () => {
    expect(retryDelayMs(3, { initialDelayMs: 10, maxDelayMs: 30 }, () => 1)).toBe(30);
    expect(retryDelayMs(2, { initialDelayMs: 10, maxDelayMs: 30 }, () => 0.5)).toBe(15);
  });
});
