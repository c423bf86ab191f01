import { get } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { BenchChild } from './child-process.js';
import type { FromLoadGenerator, FromServer, LoadResult, ServerSettings, ToLoadGenerator, ToServer } from './protocol.js';
import type { Target } from './targets.js';

export interface MeasurementPlan {
  readonly connections: number;
  readonly warmUpSeconds: number;
  readonly measureSeconds: number;
  readonly serverCpu: number;
  readonly loadCpu: number;
  readonly settings: ServerSettings;
  /** PEM the probe request trusts, so it also checks that the server presents the bench certificate. */
  readonly certificatePem: string;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}

export interface TargetMeasurement {
  readonly target: Target;
  readonly url: string;
  readonly load: LoadResult;
  readonly requestsPerSecond: number;
  /** CPU time over wall time during the measured seconds: 1 is one core fully used. */
  readonly serverCores: number;
  readonly loadGeneratorCores: number;
  /** Protocol and cipher the probe request negotiated. */
  readonly tls: string;
}

const SERVER_START_TIMEOUT_MS = 120_000;
const QUICK_REPLY_TIMEOUT_MS = 5_000;
const LOAD_RUN_SLACK_MS = 30_000;

/** Starts the target's server, checks one response, then warms up and measures it; stops the server again. */
export async function measureTarget(target: Target, plan: MeasurementPlan): Promise<TargetMeasurement> {
  const name = `(${target.key})`;
  plan.progress(`${name} ${target.label}: starting the server`);
  const server = new BenchChild<FromServer, ToServer>(`server ${name}`, target.script, plan.serverCpu, plan.signal);
  try {
    const { origin } = await server.request({ type: 'start', settings: plan.settings }, 'listening', SERVER_START_TIMEOUT_MS);
    const url = new URL(target.path, origin).toString();
    const tls = await probe(url, target.expectedBody, plan.certificatePem);
    plan.progress(`${name} GET ${url} answers 200 ${target.expectedBody} over ${tls}`);

    const loadGenerator = new BenchChild<FromLoadGenerator, ToLoadGenerator>(
      `autocannon for ${name}`,
      new URL('./load-generator.ts', import.meta.url),
      plan.loadCpu,
      plan.signal,
    );
    try {
      const runLoad = (seconds: number) =>
        loadGenerator.request(
          { type: 'load', request: { url, connections: plan.connections, seconds } },
          'loaded',
          seconds * 1000 + LOAD_RUN_SLACK_MS,
        );
      plan.progress(`${name} warming up for ${plan.warmUpSeconds} s`);
      await runLoad(plan.warmUpSeconds);
      plan.progress(`${name} measuring for ${plan.measureSeconds} s`);
      const cpuBefore = await server.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
      const startedAt = performance.now();
      const { result: load } = await runLoad(plan.measureSeconds);
      const wallMicros = (performance.now() - startedAt) * 1000;
      const cpuAfter = await server.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
      const serverCpuMicros =
        cpuAfter.usage.user - cpuBefore.usage.user + (cpuAfter.usage.system - cpuBefore.usage.system);
      const requestsPerSecond = load.responses / load.durationSeconds;
      plan.progress(`${name} ${Math.round(requestsPerSecond).toLocaleString('en-US')} req/s`);
      return {
        target,
        url,
        load,
        requestsPerSecond,
        serverCores: serverCpuMicros / wallMicros,
        loadGeneratorCores: load.cpuMicros / (load.durationSeconds * 1e6),
        tls,
      };
    } finally {
      await loadGenerator.stop({ type: 'stop' });
    }
  } finally {
    await server.stop({ type: 'stop' });
  }
}

/** One request before the load: a wrong status, body or certificate fails here, not as a fast 404 benchmark. */
function probe(url: string, expectedBody: string, certificatePem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(url, { ca: certificatePem, agent: false }, (response) => {
      const socket = response.socket as TLSSocket;
      const tls = `${socket.getProtocol()} ${socket.getCipher().standardName}`;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode === 200 && body === expectedBody) resolve(tls);
        else reject(new Error(`GET ${url} answered ${response.statusCode} ${body.slice(0, 200)}, expected 200 ${expectedBody}`));
      });
    });
    request.on('error', reject);
    request.setTimeout(QUICK_REPLY_TIMEOUT_MS, () => request.destroy(new Error(`GET ${url} timed out`)));
  });
}
