import { createReadStream, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ensureDevelopmentCertificate } from '@veilig/platform-http';
import { measureSecondsFromEnvironment, progress, type Benchmark, type BenchmarkOutcome } from '../benchmark.js';
import { CORE_PINNING } from '../shared/child-process.js';
import { createBenchDatabase } from '../shared/database.js';
import { temporaryDirectory } from '../shared/temporary-directory.js';
import { measureTarget, type MeasurementPlan, type TargetMeasurement } from './measure.js';
import { describeErrors, renderDetails, renderTable, renderVerdict, type LogSummary } from './report.js';
import { TARGETS } from './targets.js';

const NAME = 'http-stack';
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 2;
const DEFAULT_MEASURE_SECONDS = 8;
/** Server and load generator each get a core of their own; the bench process and PostgreSQL idle meanwhile. */
const SERVER_CPU = 0;
const LOAD_GENERATOR_CPU = 1;
/** Rough per-target start-up and probe time, only for the up-front time estimate. */
const STARTUP_SECONDS_PER_TARGET = 4;

export const httpStackBenchmark: Benchmark = {
  name: NAME,
  description: 'requests per second over TLS: bare node:https vs NestJS/Express/helmet vs the kit',
  run,
};

async function run(signal: AbortSignal): Promise<BenchmarkOutcome> {
  const say = (message: string) => progress(NAME, message);
  const measureSeconds = measureSecondsFromEnvironment(DEFAULT_MEASURE_SECONDS);
  const estimate = TARGETS.length * (WARM_UP_SECONDS + measureSeconds + STARTUP_SECONDS_PER_TARGET);
  say(
    `${TARGETS.length} targets one after another, each ${WARM_UP_SECONDS} s warm-up + ${measureSeconds} s measured, ` +
      `${CONNECTIONS} keep-alive connections over TLS; about ${estimate} s`,
  );
  say(
    CORE_PINNING
      ? `server pinned to CPU ${SERVER_CPU}, autocannon to CPU ${LOAD_GENERATOR_CPU} (taskset), each in its own process`
      : 'taskset unavailable or fewer than 2 cores: server and autocannon run in their own processes, not pinned',
  );

  const workDir = temporaryDirectory('veilig-bench-');
  try {
    const dataDir = join(workDir.path, 'data');
    // The kit's own development certificate (ECDSA P-256); the kit's stack finds and serves the
    // same files under DATA_DIR, so all three targets present one certificate.
    const certificate = await ensureDevelopmentCertificate(dataDir);
    say(`certificate: the kit's development certificate (ECDSA P-256) in ${join(dataDir, 'tls')}`);
    signal.throwIfAborted();

    // GET /health/live does not query it, but the kit does not start without a database.
    say('database: preparing one for the kit (it idles during the measurement)');
    const database = await createBenchDatabase();
    try {
      say(`database: ${database.description}`);
      signal.throwIfAborted();
      const logFile = join(workDir.path, 'veilig-api.log');
      const plan: MeasurementPlan = {
        connections: CONNECTIONS,
        warmUpSeconds: WARM_UP_SECONDS,
        measureSeconds,
        serverCpu: SERVER_CPU,
        loadCpu: LOAD_GENERATOR_CPU,
        certificatePem: readFileSync(certificate.certFile, 'utf8'),
        progress: say,
        signal,
        settings: {
          certFile: certificate.certFile,
          keyFile: certificate.keyFile,
          logFile,
          veiligEnv: {
            NODE_ENV: 'test',
            HOST: '127.0.0.1',
            HTTPS_PORT: '0',
            HTTP_PORT: '0',
            DATA_DIR: dataDir,
            DATABASE_URL: database.migrationUrl,
            DATABASE_APP_ROLE: database.appRole,
            LOG_LEVEL: 'info',
          },
        },
      };

      const measurements: TargetMeasurement[] = [];
      for (const target of TARGETS) {
        signal.throwIfAborted();
        measurements.push(await measureTarget(target, plan));
      }
      printResults(measurements, await summariseLog(logFile), measureSeconds);
      const errors = describeErrors(measurements);
      for (const error of errors) process.stderr.write(`[${NAME}] error: ${error}\n`);
      return { failed: errors.length > 0 };
    } finally {
      await database.drop();
    }
  } finally {
    workDir.remove();
  }
}

function printResults(measurements: readonly TargetMeasurement[], logSummary: LogSummary, measureSeconds: number): void {
  const processors = cpus();
  process.stdout.write(
    [
      '',
      `http-stack: GET over HTTPS, ${CONNECTIONS} keep-alive connections, ${WARM_UP_SECONDS} s warm-up + ${measureSeconds} s per target`,
      `machine: ${processors.length} × ${processors[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ` +
        `${CORE_PINNING ? `server on CPU ${SERVER_CPU}, autocannon on CPU ${LOAD_GENERATOR_CPU}` : 'not pinned'}`,
      '',
      renderTable(measurements),
      '',
      renderDetails(measurements, logSummary),
      '',
      renderVerdict(measurements),
      '',
    ].join('\n'),
  );
}

/** Proof that (c) really logged: the lines and bytes its JSON log file received. */
async function summariseLog(file: string): Promise<LogSummary> {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) lines++;
  }
  return { lines, bytes: statSync(file).size };
}
