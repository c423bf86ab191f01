/** One measurement `npm run bench` knows how to run. */
export interface Benchmark {
  /** What `npm run bench -- <name>` matches on. */
  readonly name: string;
  readonly description: string;
  /**
   * Runs the measurement and prints its results. Resolves with `failed: true` when the numbers
   * cannot be trusted (errors, non-2xx responses); missing a performance target is not a failure.
   * Stops every process it started before settling, also when `signal` aborts (Ctrl-C).
   */
  run(signal: AbortSignal): Promise<BenchmarkOutcome>;
}

export interface BenchmarkOutcome {
  readonly failed: boolean;
}

/** Progress goes to stderr so `npm run bench > results.txt` keeps only the results. */
export function progress(benchmark: string, message: string): void {
  process.stderr.write(`[${benchmark}] ${message}\n`);
}

/** BENCH_SECONDS: how long each load run is measured, after its warm-up. */
export function measureSecondsFromEnvironment(defaultSeconds: number): number {
  const configured = process.env['BENCH_SECONDS'];
  if (configured === undefined || configured === '') return defaultSeconds;
  const seconds = Number(configured);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`BENCH_SECONDS must be a whole number of seconds, got "${configured}"`);
  return seconds;
}
