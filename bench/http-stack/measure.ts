import { measureLoad, probe, withLoadGenerator, withServerProcess, type LoadMeasurement } from '../shared/load-measurement.js';
import type { ServerSettings } from '../shared/protocol.js';
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

export interface TargetMeasurement extends LoadMeasurement {
  readonly target: Target;
  /** Protocol and cipher the probe request negotiated. */
  readonly tls: string;
}

/** Starts the target's server, checks one response, then warms up and measures it; stops the server again. */
export async function measureTarget(target: Target, plan: MeasurementPlan): Promise<TargetMeasurement> {
  const name = `(${target.key})`;
  plan.progress(`${name} ${target.label}: starting the server`);
  const serverOptions = { name: `server ${name}`, script: target.script, cpu: plan.serverCpu, settings: plan.settings, signal: plan.signal };
  return withServerProcess(serverOptions, async (server) => {
    const url = new URL(target.path, server.origin).toString();
    const answer = await probe(url, plan.certificatePem);
    if (answer.statusCode !== 200 || answer.body !== target.expectedBody) {
      throw new Error(`GET ${url} answered ${answer.statusCode} ${answer.body.slice(0, 200)}, expected 200 ${target.expectedBody}`);
    }
    plan.progress(`${name} GET ${url} answers 200 ${target.expectedBody} over ${answer.tls}`);
    const measurement = await withLoadGenerator({ name: `autocannon for ${name}`, cpu: plan.loadCpu, signal: plan.signal }, (loadGenerator) =>
      measureLoad(server, loadGenerator, url, { ...plan, label: name }),
    );
    return { ...measurement, target, tls: answer.tls };
  });
}
