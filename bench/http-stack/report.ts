import { describeLoadErrors, formatInteger, formatPercent, formatRatio, renderColumns, SATURATED_CORES } from '../shared/report-format.js';
import type { TargetMeasurement } from './measure.js';

/** The targets the kit promises; printed, never asserted. */
const TARGET_SHARE_OF_BARE = 0.7;
const TARGET_MULTIPLE_OF_STARTER = 3;

export interface LogSummary {
  readonly lines: number;
  readonly bytes: number;
}

export function renderTable(measurements: readonly TargetMeasurement[]): string {
  const bare = find(measurements, 'a');
  const starter = find(measurements, 'b');
  const rows = measurements.map((measurement) => [
    `(${measurement.target.key}) ${measurement.target.label}`,
    `GET ${new URL(measurement.url).pathname}`,
    formatInteger(measurement.requestsPerSecond),
    measurement.load.latencyP50Ms.toFixed(2),
    measurement.load.latencyP99Ms.toFixed(2),
    `${measurement.load.errors}/${measurement.load.non2xx}`,
    formatRatio(measurement.requestsPerSecond / bare.requestsPerSecond),
    formatRatio(measurement.requestsPerSecond / starter.requestsPerSecond),
  ]);
  const header = ['target', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'vs (a)', 'vs (b)'];
  return renderColumns(header, rows, 2);
}

/**
 * What the table leaves out but a reader needs to trust it: cipher, bytes, and the CPU each side
 * used, which tells whether a req/s figure is the server's limit, the load generator's, or the
 * machine's. Server CPU per response is the steadiest figure when other load disturbs req/s.
 */
export function renderDetails(measurements: readonly TargetMeasurement[], logSummary: LogSummary): string {
  const lines = measurements.flatMap((measurement) => {
    const { load, target } = measurement;
    const bytesPerResponse = load.responses ? Math.round(load.bytes / load.responses) : 0;
    const serverMicrosPerResponse = (measurement.serverCores * load.durationSeconds * 1e6) / load.responses;
    const details =
      `(${target.key}) ${measurement.tls}, ${bytesPerResponse} B/response, ` +
      `${formatInteger(load.responses)} responses in ${load.durationSeconds.toFixed(1)} s; ` +
      `server CPU ${formatPercent(measurement.serverCores)} of a core = ${serverMicrosPerResponse.toFixed(1)} µs/response, ` +
      `autocannon CPU ${formatPercent(measurement.loadGeneratorCores)}`;
    const note = saturationNote(measurement);
    return note ? [details, `    note: ${note}`] : [details];
  });
  lines.push(
    `(c) logging: ${formatInteger(logSummary.lines)} JSON lines, ${(logSummary.bytes / 1024 / 1024).toFixed(1)} MiB ` +
      'written to its log file (pino.destination, sync: false) during warm-up and measurement',
  );
  return lines.join('\n');
}

function saturationNote({ serverCores, loadGeneratorCores }: TargetMeasurement): string | undefined {
  if (loadGeneratorCores >= SATURATED_CORES) {
    return 'autocannon used (nearly) its whole core: this req/s is the load generator\'s limit as much as the server\'s';
  }
  if (serverCores < SATURATED_CORES) {
    return 'the server did not use its whole core and autocannon was not the limit: other load on the machine (or its hypervisor) held it back; rerun';
  }
  return undefined;
}

export function renderVerdict(measurements: readonly TargetMeasurement[]): string {
  const bare = find(measurements, 'a');
  const starter = find(measurements, 'b');
  const kit = find(measurements, 'c');
  const shareOfBare = kit.requestsPerSecond / bare.requestsPerSecond;
  const multipleOfStarter = kit.requestsPerSecond / starter.requestsPerSecond;
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return (
    `verdict: (c) = ${formatPercent(shareOfBare)} of (a), target ≥ ${formatPercent(TARGET_SHARE_OF_BARE)}: ` +
    `${met(shareOfBare >= TARGET_SHARE_OF_BARE)}; ` +
    `(c) = ${formatRatio(multipleOfStarter)} (b), target ≥ ${TARGET_MULTIPLE_OF_STARTER}×: ` +
    `${met(multipleOfStarter >= TARGET_MULTIPLE_OF_STARTER)}`
  );
}

/** Responses that make the numbers meaningless: a server answering errors fast is not fast. */
export function describeErrors(measurements: readonly TargetMeasurement[]): string[] {
  return measurements.flatMap(({ target, load }) => describeLoadErrors(`(${target.key})`, load) ?? []);
}

function find(measurements: readonly TargetMeasurement[], key: TargetMeasurement['target']['key']): TargetMeasurement {
  const measurement = measurements.find(({ target }) => target.key === key);
  if (!measurement) throw new Error(`no measurement for target (${key})`);
  return measurement;
}
