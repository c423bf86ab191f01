import type { IncomingHttpHeaders } from 'node:http';
import { get } from 'node:https';
import { cpus } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { BenchChild } from './child-process.js';
import type { FromLoadGenerator, FromServer, LoadResult, ToLoadGenerator, ToServer } from './protocol.js';

export interface ServerProcess<Settings> {
  readonly child: BenchChild<FromServer, ToServer<Settings>>;
  /** e.g. https://127.0.0.1:40123 */
  readonly origin: string;
}

export type LoadGenerator = BenchChild<FromLoadGenerator, ToLoadGenerator>;

export interface LoadPlan {
  readonly connections: number;
  readonly warmUpSeconds: number;
  readonly measureSeconds: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Names the run in progress lines. */
  readonly label: string;
  /** Runs between warm-up and measurement, e.g. to start metering a process that the warm-up started. */
  readonly beforeMeasuring?: () => Promise<void>;
  readonly progress: (message: string) => void;
}

export interface LoadMeasurement {
  readonly url: string;
  readonly load: LoadResult;
  readonly requestsPerSecond: number;
  /** CPU time over wall time during the measured seconds: 1 is one core fully used. */
  readonly serverCores: number;
  readonly loadGeneratorCores: number;
  /** Every other process on the machine together (PostgreSQL, the bench process, other users' work). */
  readonly restOfMachineCores: number;
}

export interface ProbeResponse {
  readonly statusCode: number;
  readonly body: string;
  /** Protocol and cipher the request negotiated. */
  readonly tls: string;
}

const SERVER_START_TIMEOUT_MS = 120_000;
const QUICK_REPLY_TIMEOUT_MS = 5_000;
const LOAD_RUN_SLACK_MS = 30_000;

/** Runs a server script in a child process on `cpu`, hands it to `use` once it listens, and stops it again. */
export async function withServerProcess<Settings, T>(
  options: { readonly name: string; readonly script: URL; readonly cpu: number; readonly settings: Settings; readonly signal: AbortSignal },
  use: (server: ServerProcess<Settings>) => Promise<T>,
): Promise<T> {
  const child = new BenchChild<FromServer, ToServer<Settings>>(options.name, options.script, options.cpu, options.signal);
  try {
    const { origin } = await child.request({ type: 'start', settings: options.settings }, 'listening', SERVER_START_TIMEOUT_MS);
    return await use({ child, origin });
  } finally {
    await child.stop({ type: 'stop' });
  }
}

/** Runs autocannon in a child process of its own on `cpu` for as long as `use` takes. */
export async function withLoadGenerator<T>(
  options: { readonly name: string; readonly cpu: number; readonly signal: AbortSignal },
  use: (loadGenerator: LoadGenerator) => Promise<T>,
): Promise<T> {
  const loadGenerator: LoadGenerator = new BenchChild(options.name, new URL('./load-generator.ts', import.meta.url), options.cpu, options.signal);
  try {
    return await use(loadGenerator);
  } finally {
    await loadGenerator.stop({ type: 'stop' });
  }
}

/** Warms up, then measures `url` under load, with the CPU time each side and the rest of the machine used meanwhile. */
export async function measureLoad<Settings>(
  server: ServerProcess<Settings>,
  loadGenerator: LoadGenerator,
  url: string,
  plan: LoadPlan,
): Promise<LoadMeasurement> {
  const runLoad = (seconds: number) =>
    loadGenerator.request(
      { type: 'load', request: { url, connections: plan.connections, seconds, headers: plan.headers ?? {} } },
      'loaded',
      seconds * 1000 + LOAD_RUN_SLACK_MS,
    );
  plan.progress(`${plan.label} warming up for ${plan.warmUpSeconds} s`);
  await runLoad(plan.warmUpSeconds);
  await plan.beforeMeasuring?.();
  plan.progress(`${plan.label} measuring for ${plan.measureSeconds} s`);
  const serverBefore = await server.child.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
  const machineBefore = machineBusyMicros();
  const startedAt = performance.now();
  const { result: load } = await runLoad(plan.measureSeconds);
  const wallMicros = (performance.now() - startedAt) * 1000;
  const machineCores = (machineBusyMicros() - machineBefore) / wallMicros;
  const serverAfter = await server.child.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
  const serverCpuMicros =
    serverAfter.usage.user - serverBefore.usage.user + (serverAfter.usage.system - serverBefore.usage.system);
  const requestsPerSecond = load.responses / load.durationSeconds;
  const serverCores = serverCpuMicros / wallMicros;
  const loadGeneratorCores = load.cpuMicros / (load.durationSeconds * 1e6);
  plan.progress(`${plan.label} ${Math.round(requestsPerSecond).toLocaleString('en-US')} req/s`);
  return {
    url,
    load,
    requestsPerSecond,
    serverCores,
    loadGeneratorCores,
    restOfMachineCores: Math.max(0, machineCores - serverCores - loadGeneratorCores),
  };
}

/** One request before the load: a wrong status, body or certificate then fails before it is measured as a fast error. */
export function probe(url: string, certificatePem: string, headers: IncomingHttpHeaders = {}): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const request = get(url, { ca: certificatePem, agent: false, headers }, (response) => {
      const socket = response.socket as TLSSocket;
      const tls = `${socket.getProtocol()} ${socket.getCipher().standardName}`;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body, tls }));
    });
    request.on('error', reject);
    request.setTimeout(QUICK_REPLY_TIMEOUT_MS, () => request.destroy(new Error(`GET ${url} timed out`)));
  });
}

/** Busy time of all cores together since boot; the kernel counts it in clock ticks, so it is exact to about 10 ms. */
function machineBusyMicros(): number {
  return cpus().reduce((sum, { times }) => sum + (times.user + times.nice + times.sys + times.irq) * 1000, 0);
}
