import { createRequire } from 'node:module';
import { sendToParent, type FromLoadGenerator, type LoadRequest, type LoadResult, type ToLoadGenerator } from './protocol.js';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonRun extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}
interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
  readonly requests: { readonly total: number };
  readonly throughput: { readonly total: number };
}
type Autocannon = (options: {
  url: string;
  headers: Readonly<Record<string, string>>;
  connections: number;
  duration: number;
  renderProgressBar: boolean;
  renderResultsTable: boolean;
}) => AutocannonRun;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * autocannon keeps latencies in whole milliseconds, too coarse for a 2 ms median, so the
 * percentiles come from the exact per-response times it reports.
 */
async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const run = autocannon({
    url: request.url,
    headers: request.headers ?? {},
    connections: request.connections,
    duration: request.seconds,
    renderProgressBar: false,
    renderResultsTable: false,
  });
  run.on('response', (_client, _statusCode, _bytes, responseTimeMs) => latenciesMs.push(responseTimeMs));
  const result = await run;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    responses: result.requests.total,
    durationSeconds: result.duration,
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP99Ms: percentile(sorted, 0.99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCounts: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count])),
    bytes: result.throughput.total,
    cpuMicros: cpu.user + cpu.system,
  };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToLoadGenerator) => {
  switch (message.type) {
    case 'load':
      void runLoad(message.request).then((result) => sendToParent<FromLoadGenerator>({ type: 'loaded', result }));
      return;
    case 'stop':
      process.exit(0);
  }
});
