import { Agent, request } from 'node:https';
import { cpus } from 'node:os';
import { startPostgresCpuMeter, type PostgresCpuMeter } from '../auth/postgres-cpu.js';
import type { ServerProcess } from './load-measurement.js';
import type { ServerSettings } from './protocol.js';

const QUICK_REPLY_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * One unit of work, e.g. one page read or one HTTP request, checked on arrival. `sequence` counts
 * up across all workers (worker, worker + workers, …), so consecutive operations of a worker
 * rotate through tenants the same way in every target. Resolves with what was wrong with the
 * answer, or undefined when it was right.
 */
export type CheckedOperation = (sequence: number) => Promise<string | undefined>;

export interface WorkerRun {
  readonly operations: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Operations whose answer failed its check; a wrong answer must never count as a fast one. */
  readonly failures: number;
  readonly firstFailure: string | undefined;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** This process's CPU time per operation: the client side (TypeORM, or the HTTPS client). */
  readonly clientMicrosPerOperation: number;
  /** The server process's CPU time per operation, when a server was metered. */
  readonly serverMicrosPerOperation: number | undefined;
  /** CPU time of the PostgreSQL backends of the metered database per operation; undefined when PostgreSQL is not on this machine or not metered. */
  readonly postgresMicrosPerOperation: number | undefined;
  /** CPU time of every process on the machine over wall time: 2 on a fully busy 2-core machine. */
  readonly machineCores: number;
}

interface WorkerPlan {
  readonly workers: number;
  readonly seconds: number;
  readonly operation: CheckedOperation;
  readonly signal: AbortSignal;
  /** Meters this server's CPU time during the run. */
  readonly server?: ServerProcess<ServerSettings>;
  /** Meters the PostgreSQL backends serving this database (a superuser URL) during the run; they must be connected already, i.e. after a warm-up. */
  readonly postgresUrl?: string;
}

/**
 * `workers` async loops, each running one operation after another for `seconds`, in this
 * process: the way the tenancy benchmark loads the database, used here for HTTP too, since each
 * request must carry its own tenant's session, which autocannon's IPC interface cannot vary.
 */
async function runWorkers(plan: WorkerPlan): Promise<WorkerRun> {
  const postgres: PostgresCpuMeter | undefined = plan.postgresUrl ? await startPostgresCpuMeter(plan.postgresUrl) : undefined;
  const serverBefore = plan.server ? await serverCpuMicros(plan.server) : 0;
  const latenciesMs: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineBusyMicros();
  const startedAt = performance.now();
  const deadline = startedAt + plan.seconds * 1000;
  await Promise.all(
    Array.from({ length: plan.workers }, async (_, worker) => {
      for (let sequence = worker; performance.now() < deadline && !plan.signal.aborted; sequence += plan.workers) {
        const sentAt = performance.now();
        const problem = await plan.operation(sequence).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
        latenciesMs.push(performance.now() - sentAt);
        if (problem !== undefined) {
          failures++;
          firstFailure ??= problem;
        }
      }
    }),
  );
  const wallMicros = (performance.now() - startedAt) * 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const machineCores = (machineBusyMicros() - machineBefore) / wallMicros;
  const serverMicros = plan.server ? (await serverCpuMicros(plan.server)) - serverBefore : undefined;
  const operations = latenciesMs.length;
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    operations,
    seconds: wallMicros / 1e6,
    perSecond: operations / (wallMicros / 1e6),
    failures,
    firstFailure,
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP99Ms: percentile(sorted, 0.99),
    clientMicrosPerOperation: (cpu.user + cpu.system) / operations,
    serverMicrosPerOperation: serverMicros === undefined ? undefined : serverMicros / operations,
    postgresMicrosPerOperation: postgres && postgres.readMicros() / operations,
    machineCores,
  };
}

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET requests over at most `connections` TLS connections kept alive between requests, trusting only `ca`. */
export class KeepAliveHttpsClient {
  readonly #agent: Agent;

  constructor(
    readonly origin: string,
    ca: string,
    connections: number,
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections, ca });
  }

  get(path: string, headers: Readonly<Record<string, string>> = {}): Promise<HttpsAnswer> {
    return new Promise((resolve, reject) => {
      const sent = request(new URL(path, this.origin), { agent: this.#agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      sent.on('error', reject);
      sent.setTimeout(REQUEST_TIMEOUT_MS, () => sent.destroy(new Error(`GET ${path} timed out`)));
      sent.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

async function serverCpuMicros(server: ServerProcess<ServerSettings>): Promise<number> {
  const { usage } = await server.child.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
  return usage.user + usage.system;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function machineBusyMicros(): number {
  return cpus().reduce((sum, { times }) => sum + (times.user + times.nice + times.sys + times.irq) * 1000, 0);
}

/** Of the rounds of a measurement: other work on the machine moves single rounds, the median much less. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Something `runWorkers` loads, e.g. one server's endpoint or one way to read a page. */
export interface WorkerTarget {
  readonly key: string;
  readonly label: string;
  readonly operation: CheckedOperation;
  /** The server answering, when there is one, to meter its CPU time. */
  readonly server?: ServerProcess<ServerSettings>;
}

export interface InterleavedPlan {
  readonly workers: number;
  readonly warmUpSeconds: number;
  readonly rounds: number;
  readonly measureSeconds: number;
  /** The database whose PostgreSQL backends are metered (a superuser URL). */
  readonly postgresUrl: string | undefined;
  readonly signal: AbortSignal;
  readonly progress: (message: string) => void;
}

export interface TargetRuns {
  readonly warmUp: WorkerRun;
  readonly rounds: readonly WorkerRun[];
}

/**
 * One warm-up per target, then `rounds` rounds in which every target is measured once, in turn:
 * other work on the machine then moves all targets alike, and each round can be compared with
 * the baseline's run of the same round.
 */
export async function measureInterleaved(targets: readonly WorkerTarget[], plan: InterleavedPlan): Promise<Map<WorkerTarget, TargetRuns>> {
  const run = (target: WorkerTarget, seconds: number) =>
    runWorkers({ workers: plan.workers, seconds, operation: target.operation, signal: plan.signal, server: target.server, postgresUrl: plan.postgresUrl });
  const warmUps = new Map<WorkerTarget, WorkerRun>();
  for (const target of targets) {
    plan.progress(`(${target.key}) warming up for ${plan.warmUpSeconds} s`);
    warmUps.set(target, await run(target, plan.warmUpSeconds));
    plan.signal.throwIfAborted();
  }
  const rounds = new Map<WorkerTarget, WorkerRun[]>(targets.map((target) => [target, []]));
  for (let round = 1; round <= plan.rounds; round++) {
    for (const target of targets) {
      const measured = await run(target, plan.measureSeconds);
      plan.signal.throwIfAborted();
      rounds.get(target)!.push(measured);
      plan.progress(`round ${round}/${plan.rounds} (${target.key}) ${Math.round(measured.perSecond).toLocaleString('en-US')}/s`);
    }
  }
  return new Map(targets.map((target) => [target, { warmUp: warmUps.get(target)!, rounds: rounds.get(target)! }]));
}

/** Medians over the measured rounds of one target. */
export interface RoundsSummary {
  readonly perSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly clientMicrosPerOperation: number;
  readonly serverMicrosPerOperation: number | undefined;
  readonly postgresMicrosPerOperation: number | undefined;
  readonly machineCores: number;
  /** Over the warm-up and every round. */
  readonly operations: number;
  readonly failures: number;
  readonly firstFailure: string | undefined;
}

export function summariseRounds({ warmUp, rounds }: TargetRuns): RoundsSummary {
  const medianOf = (pick: (run: WorkerRun) => number) => median(rounds.map(pick));
  const optionalMedianOf = (pick: (run: WorkerRun) => number | undefined) => {
    const values = rounds.map(pick).filter((value) => value !== undefined);
    return values.length === rounds.length ? median(values) : undefined;
  };
  const all = [warmUp, ...rounds];
  return {
    perSecond: medianOf((run) => run.perSecond),
    latencyP50Ms: medianOf((run) => run.latencyP50Ms),
    latencyP99Ms: medianOf((run) => run.latencyP99Ms),
    clientMicrosPerOperation: medianOf((run) => run.clientMicrosPerOperation),
    serverMicrosPerOperation: optionalMedianOf((run) => run.serverMicrosPerOperation),
    postgresMicrosPerOperation: optionalMedianOf((run) => run.postgresMicrosPerOperation),
    machineCores: medianOf((run) => run.machineCores),
    operations: all.reduce((sum, run) => sum + run.operations, 0),
    failures: all.reduce((sum, run) => sum + run.failures, 0),
    firstFailure: all.find((run) => run.firstFailure !== undefined)?.firstFailure,
  };
}

/** A target's rate over a baseline's, round by round: the median and the extremes. */
export interface Share {
  readonly median: number;
  readonly lowest: number;
  readonly highest: number;
}

export function shareOfBaseline(runs: TargetRuns, baseline: TargetRuns): Share {
  const shares = runs.rounds.map((run, round) => run.perSecond / baseline.rounds[round]!.perSecond);
  return { median: median(shares), lowest: Math.min(...shares), highest: Math.max(...shares) };
}
