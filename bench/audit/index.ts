import { cpus } from 'node:os';
import { measureSecondsFromEnvironment, progress, type Benchmark, type BenchmarkOutcome } from '../benchmark.js';
import { measureForwarder } from './forwarder.js';
import { measureRequestAudit, renderRequestAudit } from './request-audit.js';

const NAME = 'audit';
const DEFAULT_MEASURE_SECONDS = 2;

export const auditBenchmark: Benchmark = {
  name: NAME,
  description: 'GET /api/cases/:id with its data.viewed audit event vs the same kit recording nothing; then the SIEM forwarder vs raw writes',
  run,
};

async function run(signal: AbortSignal): Promise<BenchmarkOutcome> {
  const measureSeconds = measureSecondsFromEnvironment(DEFAULT_MEASURE_SECONDS);
  const say = (message: string) => progress(NAME, message);
  const requests = await measureRequestAudit({ measureSeconds, progress: say, signal });
  const processors = cpus();
  process.stdout.write(
    [
      '',
      'audit: what recording a read costs a request, and how fast recorded events reach a SIEM, each against a baseline measured in the same run',
      `machine: ${processors.length} × ${processors[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
      '',
      renderRequestAudit(requests, measureSeconds),
      '',
      '2. Forwarding (bench/audit/forwarder.ts):',
    ].join('\n'),
  );
  const failures = requests.results.filter(({ summary }) => summary.failures > 0);
  for (const { target, summary } of failures) {
    process.stderr.write(`[${NAME}] error: (${target.key}) ${summary.failures} wrong answers, e.g. ${summary.firstFailure}\n`);
  }
  const trailMismatch = requests.recordedEvents !== requests.auditedRequests;
  if (trailMismatch) {
    process.stderr.write(`[${NAME}] error: ${requests.recordedEvents} data.viewed events for ${requests.auditedRequests} successful audited requests\n`);
  }
  signal.throwIfAborted();
  const forwarder = await measureForwarder({ signal });
  return { failed: failures.length > 0 || trailMismatch || forwarder.failed };
}
