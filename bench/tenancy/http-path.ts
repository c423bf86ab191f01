import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDevelopmentCertificate } from '@veilig/platform-http';
import { DataSource } from 'typeorm';
import { populateCases, signInCaseReaders, type CaseReader } from '../shared/case-readers.js';
import { CORE_PINNING } from '../shared/child-process.js';
import {
  KeepAliveHttpsClient,
  measureInterleaved,
  shareOfBaseline,
  summariseRounds,
  type CheckedOperation,
  type Share,
  type RoundsSummary,
  type TargetRuns,
  type WorkerTarget,
} from '../shared/concurrent-workers.js';
import { createBenchDatabase } from '../shared/database.js';
import { withServerProcess, type ServerProcess } from '../shared/load-measurement.js';
import type { ServerSettings } from '../shared/protocol.js';
import { formatInteger, formatPercent, formatRatio, renderColumns } from '../shared/report-format.js';
import { temporaryDirectory } from '../shared/temporary-directory.js';
import { CASE_PAGE_SIZE, OWNER_PAGE_SQL, ROUTE_PAGE_SQL_AS_OWNER, routePageParameters } from './case-page-sql.js';

const TENANTS = 100;
const CASES_PER_TENANT = 10_000;
/** As the statement-level section: eight readers, each with a keep-alive connection (HTTP) or a pooled connection (SQL) of its own. */
const WORKERS = 8;
/** Fewer than the statement-level section's 10: the section must fit the benchmark's two minutes together with its set-up. */
const ROUNDS = 5;
/** The kit's pools open, V8 compiles the hot path and the permission cache fills for every session. */
const WARM_UP_SECONDS = 2;
const SERVER_CPU = 0;
/** The target for the page read through the full path against the owner's one statement; printed, never asserted. */
const TARGET_SHARE_OF_BASELINE = 0.75;

type FullPathKey = 'g' | 'h' | 'i' | 'j';

interface FullPathTarget extends WorkerTarget {
  readonly key: FullPathKey;
  /** Round trips to PostgreSQL per page. */
  readonly sqlRoundTrips: number;
}

interface FullPathResult {
  readonly target: FullPathTarget;
  readonly summary: RoundsSummary;
  readonly vsOwnerStatement: Share;
  readonly vsBareRoute: Share;
  readonly runs: TargetRuns;
}

export interface FullPathReport {
  readonly text: string;
  readonly failed: boolean;
}

/**
 * The tenancy page read as a request really makes it: GET /api/cases?limit=20 on the kit's
 * server (session lookup, permission guard, TenantScope.query under forced row-level security),
 * against the same page sent as one statement by the table owner, and against the same HTTP
 * stack serving that owner's statement on a public route. Every page is checked for its size,
 * its tenant.
 */
export async function measureFullPath(options: {
  readonly measureSeconds: number;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}): Promise<FullPathReport> {
  const say = (message: string) => options.progress(`full path: ${message}`);
  const database = await createBenchDatabase();
  const workDir = temporaryDirectory('veilig-bench-tenancy-http-');
  try {
    say(database.description);
    const dataDir = join(workDir.path, 'data');
    const certificate = await ensureDevelopmentCertificate(dataDir);
    const settings: ServerSettings = {
      certFile: certificate.certFile,
      keyFile: certificate.keyFile,
      logFile: join(workDir.path, 'veilig-api.log'),
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
    };
    say(`starting the kit (startApi) with a public owner-page route on CPU ${SERVER_CPU}${CORE_PINNING ? '' : ' (not pinned: no taskset or one core)'}`);
    const serverOptions = { name: 'kit server', script: new URL('./full-path-server.ts', import.meta.url), cpu: SERVER_CPU, settings, signal: options.signal };
    return await withServerProcess(serverOptions, async (server) => {
      const owner = await new DataSource({ type: 'postgres', url: database.migrationUrl, poolSize: WORKERS }).initialize();
      const client = new KeepAliveHttpsClient(server.origin, readFileSync(certificate.certFile, 'utf8'), WORKERS);
      try {
        say(`signing in one case reader (custom role with cases:read-all) in each of ${TENANTS} tenants`);
        const signingInSince = performance.now();
        const readers = await signInCaseReaders(owner, TENANTS);
        say(`signed in in ${secondsSince(signingInSince)} s; populating ${formatInteger(TENANTS * CASES_PER_TENANT)} cases as the table owner`);
        options.signal.throwIfAborted();
        const populatingSince = performance.now();
        await populateCases(owner, readers, CASES_PER_TENANT);
        say(`populated and indexed in ${secondsSince(populatingSince)} s`);
        say(`plans as the owner, tenant ${readers[0]!.tenantId}:\n${await plans(owner, readers[0]!)}`);

        const targets = fullPathTargets(owner, client, server, readers);
        for (const target of targets) {
          const problem = await target.operation(0);
          if (problem !== undefined) throw new Error(`(${target.key}) ${target.label}: ${problem}`);
        }
        say(`every target answers a correct page over ${CASE_PAGE_SIZE} rows; measuring`);
        const runs = await measureInterleaved(targets, {
          workers: WORKERS,
          warmUpSeconds: WARM_UP_SECONDS,
          rounds: ROUNDS,
          measureSeconds: options.measureSeconds,
          postgresUrl: database.migrationUrl,
          signal: options.signal,
          progress: say,
        });
        const results = summarise(targets, runs);
        const failures = results.filter(({ summary }) => summary.failures > 0);
        for (const { target, summary } of failures) {
          process.stderr.write(`[tenancy] error: (${target.key}) ${summary.failures} wrong pages, e.g. ${summary.firstFailure}\n`);
        }
        return { text: report(results, options.measureSeconds, database.description), failed: failures.length > 0 };
      } finally {
        client.close();
        await owner.destroy();
      }
    });
  } finally {
    await database.drop();
    workDir.remove();
  }
}

function secondsSince(startedAt: number): string {
  return ((performance.now() - startedAt) / 1000).toFixed(1);
}

function fullPathTargets(owner: DataSource, client: KeepAliveHttpsClient, server: ServerProcess<ServerSettings>, readers: readonly CaseReader[]): FullPathTarget[] {
  const readerFor = (sequence: number) => readers[sequence % readers.length]!;
  const ownerStatement = (sql: string, parameters: (reader: CaseReader) => unknown[]): CheckedOperation => async (sequence) => {
    const reader = readerFor(sequence);
    return checkPage(reader, (await owner.query<PageRow[]>(sql, parameters(reader))).slice(0, CASE_PAGE_SIZE));
  };
  const request = (path: (reader: CaseReader) => string, headers: (reader: CaseReader) => Record<string, string>): CheckedOperation => async (sequence) => {
    const reader = readerFor(sequence);
    const answer = await client.get(path(reader), headers(reader));
    if (answer.status !== 200) return `status ${answer.status}: ${answer.body.slice(0, 200)}`;
    const page = JSON.parse(answer.body) as { items: PageRow[] };
    return checkPage(reader, page.items);
  };
  return [
    {
      key: 'g',
      label: 'owner, one statement: the page (baseline)',
      sqlRoundTrips: 1,
      operation: ownerStatement(OWNER_PAGE_SQL, (reader) => [reader.tenantId]),
    },
    {
      key: 'h',
      label: "owner, one statement: the route's SQL (one row more, visibility predicates)",
      sqlRoundTrips: 1,
      operation: ownerStatement(ROUTE_PAGE_SQL_AS_OWNER, (reader) => routePageParameters(reader.tenantId, reader.userId)),
    },
    {
      key: 'i',
      label: "GET /bench/owner-page: the kit's HTTP stack, public route, (g)'s statement",
      sqlRoundTrips: 1,
      operation: request((reader) => `/bench/owner-page?tenant=${reader.tenantId}`, () => ({})),
      server,
    },
    {
      key: 'j',
      label: 'GET /api/cases?limit=20: session, guard, TenantScope.query under RLS',
      sqlRoundTrips: 2,
      operation: request(() => `/api/cases?limit=${CASE_PAGE_SIZE}`, (reader) => ({ cookie: reader.cookie })),
      server,
    },
  ];
}

interface PageRow {
  readonly category: string;
}

/** Another tenant's row or a short page must fail the run rather than count as a fast page. */
function checkPage(reader: CaseReader, rows: readonly PageRow[]): string | undefined {
  if (rows.length !== CASE_PAGE_SIZE) return `${rows.length} rows instead of ${CASE_PAGE_SIZE}`;
  const foreign = rows.find((row) => row.category !== reader.category);
  if (foreign) return `a row of ${foreign.category} in the page of ${reader.category}`;
  return undefined;
}

async function plans(owner: DataSource, reader: CaseReader): Promise<string> {
  const explain = async (sql: string, parameters: unknown[]) => {
    const rows = await owner.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`, parameters);
    return rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n');
  };
  return [
    '(g) the page:',
    await explain(OWNER_PAGE_SQL, [reader.tenantId]),
    "(h) the route's statement:",
    await explain(ROUTE_PAGE_SQL_AS_OWNER, routePageParameters(reader.tenantId, reader.userId)),
  ].join('\n');
}

function summarise(targets: readonly FullPathTarget[], runs: ReadonlyMap<WorkerTarget, TargetRuns>): FullPathResult[] {
  const runsOf = (key: FullPathKey) => runs.get(targets.find((target) => target.key === key)!)!;
  return targets.map((target) => ({
    target,
    summary: summariseRounds(runs.get(target)!),
    vsOwnerStatement: shareOfBaseline(runs.get(target)!, runsOf('g')),
    vsBareRoute: shareOfBaseline(runs.get(target)!, runsOf('i')),
    runs: runs.get(target)!,
  }));
}

function report(results: readonly FullPathResult[], measureSeconds: number, database: string): string {
  const micros = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));
  const rows = results.map(({ target, summary, vsOwnerStatement, vsBareRoute }) => [
    `(${target.key}) ${target.label}`,
    String(target.sqlRoundTrips),
    formatInteger(summary.perSecond),
    summary.latencyP50Ms.toFixed(2),
    micros(summary.clientMicrosPerOperation),
    micros(summary.serverMicrosPerOperation),
    micros(summary.postgresMicrosPerOperation),
    summary.machineCores.toFixed(2),
    formatRatio(vsOwnerStatement.median),
    `${formatRatio(vsOwnerStatement.lowest)}–${formatRatio(vsOwnerStatement.highest)}`,
    formatRatio(vsBareRoute.median),
  ]);
  const result = (key: FullPathKey) => results.find(({ target }) => target.key === key)!;
  const route = result('j');
  const met = route.vsOwnerStatement.median >= TARGET_SHARE_OF_BASELINE ? 'met' : 'MISSED';
  return [
    '',
    `tenancy, full path: GET /api/cases?limit=${CASE_PAGE_SIZE} on the kit's server against the owner's statement; ${formatInteger(TENANTS * CASES_PER_TENANT)} cases, ${TENANTS} tenants,`,
    `one signed-in reader per tenant (custom role with cases:read-all: every case visible); ${WORKERS} workers, each its own keep-alive TLS connection or pooled`,
    `connection, tenants in turn; ${ROUNDS} rounds of ${measureSeconds} s per target after ${WARM_UP_SECONDS} s warm-up, interleaved; medians; server on CPU ${SERVER_CPU}${CORE_PINNING ? '' : ' (unpinned)'}`,
    '',
    renderColumns(
      ['target', 'SQL round trips', 'pages/s', 'p50 ms', 'client µs/page', 'server µs/page', 'PostgreSQL µs/page', 'machine cores', 'vs (g)', 'per round', 'vs (i)'],
      rows,
      1,
    ),
    '',
    `verdict: (j) GET /api/cases = ${formatPercent(route.vsOwnerStatement.median)} of (g), target ≥ ${formatPercent(TARGET_SHARE_OF_BASELINE)}: ${met}; ` +
      `${formatPercent(route.vsBareRoute.median)} of (i), the same HTTP stack serving the owner's statement`,
    `   (i) / (g) = ${formatRatio(result('i').vsOwnerStatement.median)}: the ceiling for any route of this HTTP stack against a statement sent at the database`,
    `   (h) / (g) = ${formatRatio(result('h').vsOwnerStatement.median)}: what the route's SQL costs against the page's; ` +
      `(j) / (h) = ${formatRatio(shareOfBaseline(route.runs, result('h').runs).median)}: what session, guard, RLS and HTTP cost on top of the route's own SQL`,
    `   what differs from the baseline SQL: the route's statement (CaseRepository.list) reads one row more (${CASE_PAGE_SIZE + 1}, to tell whether another page follows);`,
    `   its visibility and status predicates fold away for a`,
    "   cases:read-all caller; under the application role row-level security adds the tenant condition and TenantScope.query the two set_config calls.",
    '   (j) also resolves the session (one more round trip: sessions, tenants and users joined); its permissions come from the per-session cache.',
    '   client = this process (TypeORM for (g) and (h), the HTTPS client for (i) and (j)); server = the kit\'s process; PostgreSQL = the backends of the',
    '   benchmark database (not pinned); machine cores = every process together, 2.00 is all of this machine',
    `   database: ${database}`,
    '',
  ].join('\n');
}
