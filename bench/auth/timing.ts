import type { OperationTiming } from './protocol.js';

/** The raw figures of one timed run, kept apart so runs with untimed work in between can be summed. */
export interface TimedRun {
  readonly latenciesMs: Float64Array;
  readonly wallSeconds: number;
  readonly cpu: NodeJS.CpuUsage;
}

/** Runs `operation` once per input, at most `concurrency` at a time. */
export async function forEachConcurrently<Input>(
  inputs: readonly Input[],
  concurrency: number,
  operation: (input: Input, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runLane = async () => {
    while (next < inputs.length) {
      const index = next++;
      await operation(inputs[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, runLane));
}

/**
 * Times a run of `operation` over the inputs, `concurrency` at a time, and each operation. With
 * concurrency 1 a CPU-bound operation's latency is its cost; above 1 it includes the wait for its turn.
 */
export async function timeOperations<Input>(
  inputs: readonly Input[],
  concurrency: number,
  operation: (input: Input) => Promise<unknown>,
): Promise<TimedRun> {
  const latenciesMs = new Float64Array(inputs.length);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await forEachConcurrently(inputs, concurrency, async (input, index) => {
    const operationStartedAt = performance.now();
    await operation(input);
    latenciesMs[index] = performance.now() - operationStartedAt;
  });
  return { latenciesMs, wallSeconds: (performance.now() - startedAt) / 1000, cpu: process.cpuUsage(cpuBefore) };
}

/**
 * For operations of some microseconds: runs `operation` over the inputs, pass after pass, until
 * at least `minimumSeconds` have passed (one pass at least), so the run is long enough to time steadily.
 */
export async function timeRepeatedly<Input>(
  inputs: readonly Input[],
  minimumSeconds: number,
  operation: (input: Input) => unknown,
): Promise<TimedRun> {
  const latenciesMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + minimumSeconds * 1000;
  do {
    for (const input of inputs) {
      const operationStartedAt = performance.now();
      await operation(input);
      latenciesMs.push(performance.now() - operationStartedAt);
    }
  } while (performance.now() < deadline);
  return { latenciesMs: Float64Array.from(latenciesMs), wallSeconds: (performance.now() - startedAt) / 1000, cpu: process.cpuUsage(cpuBefore) };
}

/** One or more timed runs of the same operation as one timing. */
export function summariseRuns(runs: readonly TimedRun[]): OperationTiming {
  const sorted = new Float64Array(runs.reduce((sum, run) => sum + run.latenciesMs.length, 0));
  let offset = 0;
  for (const run of runs) {
    sorted.set(run.latenciesMs, offset);
    offset += run.latenciesMs.length;
  }
  sorted.sort();
  const cpuMicros = runs.reduce((sum, run) => sum + run.cpu.user + run.cpu.system, 0);
  return {
    operations: sorted.length,
    wallSeconds: runs.reduce((sum, run) => sum + run.wallSeconds, 0),
    cpuSeconds: cpuMicros / 1e6,
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP99Ms: percentile(sorted, 0.99),
  };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}
