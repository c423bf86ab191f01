import { cpus } from 'node:os';
import { join } from 'node:path';
import { ensureDevelopmentCertificate } from '@veilig/platform-http';
import { measureSecondsFromEnvironment, progress, type Benchmark, type BenchmarkOutcome } from '../benchmark.js';
import { CORE_PINNING } from '../shared/child-process.js';
import { describeLoadErrors } from '../shared/report-format.js';
import { temporaryDirectory } from '../shared/temporary-directory.js';
import { CONNECTIONS, measureAuthenticatedRequests, WARM_UP_SECONDS } from './authenticated-requests.js';
import { COUNTERPART_CPU, KIT_CPU } from './placement.js';
import { BENCHMARK_NAME } from './protocol.js';
import { renderOidc, renderRequests, renderSaml } from './report.js';
import { measureSignIns, OIDC_BATCH_LOGINS, OIDC_EXCHANGE_CONCURRENCY } from './sign-ins.js';

const DEFAULT_MEASURE_SECONDS = 8;
/** Key generation, signing the SAML responses, the OIDC front channel, three process start-ups: for the up-front estimate only. */
const PREPARATION_SECONDS = 35;

export const authBenchmark: Benchmark = {
  name: BENCHMARK_NAME,
  description: 'SAML and OIDC sign-ins per second vs their local crypto floor; GET /api/session with a session vs GET /health/live',
  run,
};

async function run(signal: AbortSignal): Promise<BenchmarkOutcome> {
  const say = (message: string) => progress(BENCHMARK_NAME, message);
  const measureSeconds = measureSecondsFromEnvironment(DEFAULT_MEASURE_SECONDS);
  say(
    `three parts one after another: SAML validation, OIDC code exchange, authenticated requests ` +
      `(${WARM_UP_SECONDS} s warm-up + ${measureSeconds} s per endpoint); about ${PREPARATION_SECONDS + 2 * (WARM_UP_SECONDS + measureSeconds)} s`,
  );
  say(
    CORE_PINNING
      ? `kit side (service provider, relying party, server) pinned to CPU ${KIT_CPU}, IdP and autocannon to CPU ${COUNTERPART_CPU} (taskset)`
      : 'taskset unavailable or fewer than 2 cores: the child processes run unpinned',
  );

  const workDir = temporaryDirectory('veilig-bench-auth-');
  try {
    const dataDir = join(workDir.path, 'data');
    // One certificate for the whole run: the development IdP serves it, the relying party trusts it, the kit's server finds it under DATA_DIR.
    const certificate = await ensureDevelopmentCertificate(dataDir);
    signal.throwIfAborted();
    const signIns = await measureSignIns({ certificate, progress: say, signal });
    signal.throwIfAborted();
    const requests = await measureAuthenticatedRequests({ workDir: workDir.path, dataDir, certificate, measureSeconds, progress: say, signal });

    const processors = cpus();
    process.stdout.write(
      [
        '',
        'auth: sign-ins and authenticated requests, each against a baseline measured in the same run',
        `machine: ${processors.length} × ${processors[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ` +
          (CORE_PINNING ? `kit side on CPU ${KIT_CPU}, IdP and autocannon on CPU ${COUNTERPART_CPU}` : 'not pinned'),
        '',
        renderSaml(signIns),
        '',
        renderOidc(signIns, { batchLogins: OIDC_BATCH_LOGINS, concurrency: OIDC_EXCHANGE_CONCURRENCY }),
        '',
        renderRequests(requests, { connections: CONNECTIONS, warmUpSeconds: WARM_UP_SECONDS, measureSeconds }),
        '',
      ].join('\n'),
    );
    const errors = [
      describeLoadErrors(`GET ${new URL(requests.unauthenticated.url).pathname}:`, requests.unauthenticated.load),
      describeLoadErrors(`GET ${new URL(requests.authenticated.url).pathname}:`, requests.authenticated.load),
    ].filter((error) => error !== undefined);
    for (const error of errors) process.stderr.write(`[${BENCHMARK_NAME}] error: ${error}\n`);
    return { failed: errors.length > 0 };
  } finally {
    workDir.remove();
  }
}
