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
  type RoundsSummary,
  type Share,
  type WorkerTarget,
} from '../shared/concurrent-workers.js';
import { createBenchDatabase } from '../shared/database.js';
import { withServerProcess, type ServerProcess } from '../shared/load-measurement.js';
import type { ServerSettings } from '../shared/protocol.js';
import { formatInteger, formatPercent, formatRatio, renderColumns } from '../shared/report-format.js';
import { temporaryDirectory } from '../shared/temporary-directory.js';

/** Enough tenants that eight workers rarely meet in one tenant's audit chain, whose head each insert locks until it commits. */
const TENANTS = 20;
const CASES_PER_TENANT = 500;
const WORKERS = 8;
const ROUNDS = 5;
const WARM_UP_SECONDS = 2;
/** Both servers on the same core, one measured at a time: the other idles. */
const SERVER_CPU = 0;
/** The issue's target for audit on against off; printed, never asserted. */
const TARGET_SHARE_OF_AUDIT_OFF = 0.9;

type RequestAuditKey = 'a' | 'b' | 'c';

interface RequestAuditTarget extends WorkerTarget {
  readonly key: RequestAuditKey;
  /** Round trips to PostgreSQL per request. */
  readonly sqlRoundTrips: number;
}

export interface RequestAuditResult {
  readonly target: RequestAuditTarget;
  readonly summary: RoundsSummary;
  readonly vsAuditOff: Share;
}

export interface RequestAuditMeasurement {
  readonly results: readonly RequestAuditResult[];
  /** data.viewed events in the database against the successful audited requests: equal, or the audit trail lost or invented reads. */
  readonly recordedEvents: number;
  readonly auditedRequests: number;
  readonly database: string;
}

/**
 * GET /api/cases/:id (a case with its personal data, whose view is recorded as data.viewed in
 * the read's own transaction) on the kit as it is, against the same kit with an audit writer
 * that records nothing, in the same run on the same database. Every answer is checked to be the
 * case asked for with its personal data; afterwards the audit trail must hold exactly one event
 * per successful request to the audited server.
 */
export async function measureRequestAudit(options: {
  readonly measureSeconds: number;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}): Promise<RequestAuditMeasurement> {
  const say = options.progress;
  const database = await createBenchDatabase();
  const workDir = temporaryDirectory('veilig-bench-audit-');
  try {
    say(`requests: ${database.description}`);
    const dataDir = join(workDir.path, 'data');
    const certificate = await ensureDevelopmentCertificate(dataDir);
    const settings = (logName: string): ServerSettings => ({
      certFile: certificate.certFile,
      keyFile: certificate.keyFile,
      logFile: join(workDir.path, logName),
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
    });
    const pinned = CORE_PINNING ? `on CPU ${SERVER_CPU}` : 'unpinned';
    say(`requests: starting the kit (startApi) ${pinned}, then the same kit with an audit writer that records nothing`);
    const audited = { name: 'kit server', script: new URL('../shared/veilig-api-server.ts', import.meta.url), cpu: SERVER_CPU, settings: settings('audit-on.log'), signal: options.signal };
    const unaudited = { name: 'kit server, audit off', script: new URL('./audit-off-server.ts', import.meta.url), cpu: SERVER_CPU, settings: settings('audit-off.log'), signal: options.signal };
    // One after the other: both migrate the same database, and the second finds it done.
    return await withServerProcess(audited, (auditOn) =>
      withServerProcess(unaudited, async (auditOff) => {
        const owner = await new DataSource({ type: 'postgres', url: database.migrationUrl, poolSize: 2 }).initialize();
        const ca = readFileSync(certificate.certFile, 'utf8');
        const onClient = new KeepAliveHttpsClient(auditOn.origin, ca, WORKERS);
        const offClient = new KeepAliveHttpsClient(auditOff.origin, ca, WORKERS);
        try {
          say(`requests: signing in one case reader (custom role with cases:read-all) in each of ${TENANTS} tenants, ${formatInteger(CASES_PER_TENANT)} cases each`);
          const readers = await signInCaseReaders(owner, TENANTS);
          await populateCases(owner, readers, CASES_PER_TENANT);
          const caseIds = await caseIdsByTenant(owner);
          const eventsBefore = await dataViewedEvents(owner);
          options.signal.throwIfAborted();

          let auditedRequests = 0;
          const targets = requestAuditTargets({ readers, caseIds, auditOff: { server: auditOff, client: offClient }, auditOn: { server: auditOn, client: onClient } }, () => auditedRequests++);
          for (const target of targets) {
            const problem = await target.operation(0);
            if (problem !== undefined) throw new Error(`(${target.key}) ${target.label}: ${problem}`);
          }
          say('requests: every target answers the case asked for with its personal data; measuring');
          const runs = await measureInterleaved(targets, {
            workers: WORKERS,
            warmUpSeconds: WARM_UP_SECONDS,
            rounds: ROUNDS,
            measureSeconds: options.measureSeconds,
            postgresUrl: database.migrationUrl,
            signal: options.signal,
            progress: (message) => say(`requests: ${message}`),
          });
          const baseline = runs.get(targets[0]!)!;
          return {
            results: targets.map((target) => ({ target, summary: summariseRounds(runs.get(target)!), vsAuditOff: shareOfBaseline(runs.get(target)!, baseline) })),
            recordedEvents: (await dataViewedEvents(owner)) - eventsBefore,
            auditedRequests,
            database: database.description,
          };
        } finally {
          onClient.close();
          offClient.close();
          await owner.destroy();
        }
      }),
    );
  } finally {
    await database.drop();
    workDir.remove();
  }
}

interface Served {
  readonly server: ServerProcess<ServerSettings>;
  readonly client: KeepAliveHttpsClient;
}

function requestAuditTargets(
  setting: { readonly readers: readonly CaseReader[]; readonly caseIds: ReadonlyMap<string, readonly string[]>; readonly auditOff: Served; readonly auditOn: Served },
  countAudited: () => void,
): RequestAuditTarget[] {
  const { readers, caseIds } = setting;
  // Tenants in turn, and within a tenant its cases in turn, so no request repeats one just made.
  const acrossTenants = (sequence: number) => {
    const reader = readers[sequence % readers.length]!;
    const ids = caseIds.get(reader.tenantId)!;
    return { reader, caseId: ids[Math.floor(sequence / readers.length) % ids.length]! };
  };
  const oneTenant = (sequence: number) => {
    const reader = readers[0]!;
    const ids = caseIds.get(reader.tenantId)!;
    return { reader, caseId: ids[sequence % ids.length]! };
  };
  const readCase = (served: Served, pick: (sequence: number) => { reader: CaseReader; caseId: string }, audited: boolean): CheckedOperation => async (sequence) => {
    const { reader, caseId } = pick(sequence);
    const answer = await served.client.get(`/api/cases/${caseId}`, { cookie: reader.cookie });
    if (answer.status !== 200) return `status ${answer.status}: ${answer.body.slice(0, 200)}`;
    const shown = JSON.parse(answer.body) as { id?: string; category?: string; citizenName?: string };
    if (shown.id !== caseId || shown.category !== reader.category) return `asked for case ${caseId} of ${reader.category}, got ${shown.id} of ${shown.category}`;
    if (!shown.citizenName) return 'the case came without its personal data, so its view was not one to audit';
    if (audited) countAudited();
    return undefined;
  };
  return [
    {
      key: 'a',
      label: 'audit off: the kit, its AuditWriter recording nothing (baseline)',
      sqlRoundTrips: 3,
      operation: readCase(setting.auditOff, acrossTenants, false),
      server: setting.auditOff.server,
    },
    {
      key: 'b',
      label: 'audit on: the kit as it is, data.viewed in the read transaction',
      sqlRoundTrips: 3,
      operation: readCase(setting.auditOn, acrossTenants, true),
      server: setting.auditOn.server,
    },
    {
      key: 'c',
      label: 'audit on, every request in one tenant (one audit chain)',
      sqlRoundTrips: 3,
      operation: readCase(setting.auditOn, oneTenant, true),
      server: setting.auditOn.server,
    },
  ];
}

async function caseIdsByTenant(owner: DataSource): Promise<Map<string, string[]>> {
  const rows = await owner.query<Array<{ tenant_id: string; ids: string[] }>>('SELECT tenant_id, array_agg(id ORDER BY created_at) AS ids FROM cases GROUP BY tenant_id');
  return new Map(rows.map((row) => [row.tenant_id, row.ids]));
}

async function dataViewedEvents(owner: DataSource): Promise<number> {
  const [row] = await owner.query<Array<{ count: string }>>("SELECT count(*) AS count FROM audit_events WHERE action = 'data.viewed'");
  return Number(row!.count);
}

export function renderRequestAudit(measurement: RequestAuditMeasurement, measureSeconds: number): string {
  const micros = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));
  const rows = measurement.results.map(({ target, summary, vsAuditOff }) => [
    `(${target.key}) ${target.label}`,
    String(target.sqlRoundTrips),
    formatInteger(summary.perSecond),
    summary.latencyP50Ms.toFixed(2),
    summary.latencyP99Ms.toFixed(2),
    micros(summary.serverMicrosPerOperation),
    micros(summary.postgresMicrosPerOperation),
    micros(summary.clientMicrosPerOperation),
    summary.machineCores.toFixed(2),
    formatRatio(vsAuditOff.median),
    `${formatRatio(vsAuditOff.lowest)}–${formatRatio(vsAuditOff.highest)}`,
  ]);
  const result = (key: RequestAuditKey) => measurement.results.find(({ target }) => target.key === key)!;
  const on = result('b');
  const met = on.vsAuditOff.median >= TARGET_SHARE_OF_AUDIT_OFF ? 'met' : 'MISSED';
  return [
    `1. Requests: GET /api/cases/:id, a case with its personal data; ${TENANTS} tenants of ${formatInteger(CASES_PER_TENANT)} cases, one signed-in reader each`,
    `   (custom role with cases:read-all); ${WORKERS} workers, each its own keep-alive TLS connection, tenants and cases in turn; ${ROUNDS} rounds of`,
    `   ${measureSeconds} s per target after ${WARM_UP_SECONDS} s warm-up, interleaved; medians; both servers ${CORE_PINNING ? `on CPU ${SERVER_CPU}` : 'unpinned'}, one loaded at a time`,
    renderColumns(
      ['target', 'SQL round trips', 'req/s', 'p50 ms', 'p99 ms', 'server µs/req', 'PostgreSQL µs/req', 'client µs/req', 'machine cores', 'vs (a)', 'per round'],
      rows,
      1,
    ),
    `   verdict: (b) audit on = ${formatPercent(on.vsAuditOff.median)} of (a) audit off, target ≥ ${formatPercent(TARGET_SHARE_OF_AUDIT_OFF)}: ${met}`,
    '   round trips: the session lookup; BEGIN + tenant settings + the case (one message); COMMIT, which with audit on carries the INSERT INTO',
    "   audit_events in the same message (its trigger chains the event under a lock on the tenant's chain head, held only for the commit) and then",
    '   writes and flushes WAL before it answers: what audit costs is PostgreSQL work and the WAL flush, not a round trip',
    `   audit trail: ${formatInteger(measurement.recordedEvents)} data.viewed events recorded for ${formatInteger(measurement.auditedRequests)} successful audited requests` +
      (measurement.recordedEvents === measurement.auditedRequests ? ' (one each)' : ' (MISMATCH)'),
    '   server = the kit\'s process; PostgreSQL = the backends of the benchmark database (not pinned); client = this process (the HTTPS client)',
    `   database: ${measurement.database}`,
  ].join('\n');
}
