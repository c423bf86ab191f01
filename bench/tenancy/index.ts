import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { openAppDataSource, prepareDatabase } from '@veilig/platform-database';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { measureSecondsFromEnvironment, progress, type Benchmark, type BenchmarkOutcome } from '../benchmark.js';
import { createBenchDatabase } from '../shared/database.js';
import { formatInteger, formatPercent, formatRatio, renderColumns } from '../shared/report-format.js';
import { temporaryDirectory } from '../shared/temporary-directory.js';
import { measureFullPath } from './http-path.js';
import { measure, type Run } from './measure.js';
import { BenchNotes1765100000000, PAGE_SIZE, pagePlan, populate, ROWS, TENANTS } from './page-read-table.js';
import { targets, type Target, type TargetKey } from './targets.js';

const NAME = 'tenancy';
/** Concurrent readers, each with a connection of its own in every pool. */
const WORKERS = 8;
const ROUNDS = 10;
const WARM_UP_SECONDS = 1;
const DEFAULT_MEASURE_SECONDS = 1;
/** The target for the kit's page read against the baseline; printed, never asserted. */
const TARGET_SHARE_OF_BASELINE = 0.75;

export const tenancyBenchmark: Benchmark = {
  name: NAME,
  description:
    'tenant-scoped page read through the row-level security transaction vs one statement without it; then through the full HTTP path (session, guard, RLS)',
  run,
};

interface Result {
  readonly target: Target;
  readonly runs: readonly Run[];
  /** Medians over the rounds. */
  readonly pagesPerSecond: number;
  readonly clientMicrosPerPage: number;
  readonly machineCores: number;
  /** This target's pages/s over the baseline's in the same round: the median and the extremes over the rounds. */
  readonly shareOfBaseline: number;
  readonly shareRange: readonly [number, number];
}

async function run(signal: AbortSignal): Promise<BenchmarkOutcome> {
  const measureSeconds = measureSecondsFromEnvironment(DEFAULT_MEASURE_SECONDS);
  const statements = await measureStatementPaths(measureSeconds, signal);
  signal.throwIfAborted();
  const fullPath = await measureFullPath({ measureSeconds, progress: (message) => progress(NAME, message), signal });
  process.stdout.write(fullPath.text);
  return { failed: statements.failed || fullPath.failed };
}

/** The page read at the database: the kit's ways of opening a tenant transaction against the owner's one statement. */
async function measureStatementPaths(measureSeconds: number, signal: AbortSignal): Promise<BenchmarkOutcome> {
  const say = (message: string) => progress(NAME, message);
  const database = await createBenchDatabase();
  const dataDir = temporaryDirectory('veilig-bench-tenancy-');
  const pools: DataSource[] = [];
  try {
    say(`database: ${database.description}`);
    const appUrl = await prepareDatabase({
      migrationUrl: database.migrationUrl,
      appUrl: undefined,
      appRole: database.appRole,
      dataDir: dataDir.path,
      migrations: [BenchNotes1765100000000],
      logger: pino({ level: 'silent' }),
    });
    const owner = await new DataSource({ type: 'postgres', url: database.migrationUrl, poolSize: WORKERS }).initialize();
    pools.push(owner);
    const tenantIds = Array.from({ length: TENANTS }, () => randomUUID());
    say(`populating ${formatInteger(ROWS)} rows for ${TENANTS} tenants`);
    const populatingSince = performance.now();
    await populate(owner, tenantIds);
    say(`populated and indexed in ${((performance.now() - populatingSince) / 1000).toFixed(1)} s`);
    signal.throwIfAborted();

    const app = await openAppDataSource({ url: appUrl, poolSize: WORKERS });
    pools.push(app);
    const pipelined = await new DataSource({ type: 'postgres', url: appUrl, poolSize: WORKERS, extra: { pipeline: true } }).initialize();
    pools.push(pipelined);
    say(`plan of the page under row-level security:\n${await pagePlan(app, tenantIds[0]!)}`);

    const all = targets({ owner, app, pipelined });
    say(`warming up: ${WARM_UP_SECONDS} s per target`);
    for (const target of all) await measure(target, tenantIds, WORKERS, WARM_UP_SECONDS, signal);
    const runs = new Map<Target, Run[]>(all.map((target) => [target, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of all) {
        signal.throwIfAborted();
        const measured = await measure(target, tenantIds, WORKERS, measureSeconds, signal);
        runs.get(target)!.push(measured);
        say(`round ${round}/${ROUNDS} (${target.key}) ${formatInteger(measured.pagesPerSecond)} pages/s`);
      }
    }
    signal.throwIfAborted();
    const results = summarise(all, runs);
    process.stdout.write(report(results, measureSeconds));
    const wrong = results.flatMap(({ target, runs: measured }) => {
      const pages = measured.reduce((sum, { wrongPages }) => sum + wrongPages, 0);
      return pages > 0 ? [`(${target.key}) ${pages} pages with a wrong row count or another tenant's row`] : [];
    });
    for (const line of wrong) process.stderr.write(`[${NAME}] error: ${line}\n`);
    return { failed: wrong.length > 0 };
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
    await database.drop();
    dataDir.remove();
  }
}

function summarise(all: readonly Target[], runs: ReadonlyMap<Target, readonly Run[]>): Result[] {
  const baseline = runs.get(all[0]!)!;
  return all.map((target) => {
    const measured = runs.get(target)!;
    const shares = measured.map((run, round) => run.pagesPerSecond / baseline[round]!.pagesPerSecond);
    return {
      target,
      runs: measured,
      pagesPerSecond: median(measured.map((run) => run.pagesPerSecond)),
      clientMicrosPerPage: median(measured.map((run) => run.clientMicrosPerPage)),
      machineCores: median(measured.map((run) => run.machineCores)),
      shareOfBaseline: median(shares),
      shareRange: [Math.min(...shares), Math.max(...shares)],
    };
  });
}

function report(results: readonly Result[], measureSeconds: number): string {
  const processors = cpus();
  const rows = results.map(({ target, pagesPerSecond, clientMicrosPerPage, machineCores, shareOfBaseline, shareRange }) => [
    `(${target.key}) ${target.label}`,
    String(target.roundTrips),
    String(target.syncs),
    formatInteger(pagesPerSecond),
    clientMicrosPerPage.toFixed(0),
    machineCores.toFixed(2),
    formatRatio(shareOfBaseline),
    `${formatRatio(shareRange[0])}–${formatRatio(shareRange[1])}`,
  ]);
  const verdict = (key: TargetKey) => {
    const { target, shareOfBaseline } = results.find((result) => result.target.key === key)!;
    const met = shareOfBaseline >= TARGET_SHARE_OF_BASELINE ? 'met' : 'MISSED';
    return `(${key}) ${target.label.split(/[:,]/)[0]} = ${formatPercent(shareOfBaseline)} of (a), target ≥ ${formatPercent(TARGET_SHARE_OF_BASELINE)}: ${met}`;
  };
  return [
    '',
    `tenancy: a page of ${PAGE_SIZE} of ${formatInteger(ROWS)} rows (${TENANTS} tenants), ORDER BY created_at DESC on an index (tenant_id, created_at);`,
    `${WORKERS} concurrent workers on a pool of ${WORKERS} connections per target; ${ROUNDS} rounds of ${measureSeconds} s per target, interleaved;`,
    'medians over the rounds; vs (a) compares each round with the baseline of the same round',
    `machine: ${processors.length} × ${processors[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
    '',
    renderColumns(['target', 'round trips', 'syncs', 'pages/s', 'client µs/page', 'machine cores', 'vs (a)', 'per round'], rows, 1),
    '',
    `verdict: ${verdict('b')}; ${verdict('d')}`,
    '',
  ].join('\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
