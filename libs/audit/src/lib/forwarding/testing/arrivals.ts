/** What a test receiver got, in arrival order, and a way to wait until enough has arrived. */
export class Arrivals<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  add(item: T): void {
    this.items.push(item);
    for (const check of this.waiters) check();
  }

  /** Resolves once `predicate` holds for what arrived; rejects after `timeoutMs` with what did arrive. */
  waitUntil(predicate: (items: readonly T[]) => boolean, timeoutMs = 10_000, what = 'the expected items'): Promise<void> {
    if (predicate(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.items)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${what}; ${this.items.length} arrived`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  waitForCount(count: number, timeoutMs?: number): Promise<void> {
    return this.waitUntil((items) => items.length >= count, timeoutMs, `${count} items`);
  }
}
