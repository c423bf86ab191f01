import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { PAGE_SIZE } from './page-read-table.js';
import type { Target } from './targets.js';

export interface Run {
  readonly pages: number;
  readonly seconds: number;
  readonly pagesPerSecond: number;
  /** This process's CPU time per page: TypeORM, node-postgres and the kit's own code. */
  readonly clientMicrosPerPage: number;
  /** CPU time of every process on the machine over wall time: 2 on a fully busy 2-core machine. */
  readonly machineCores: number;
  /** Pages that came back with another count of rows, or with a row of another tenant. */
  readonly wrongPages: number;
}

/**
 * `workers` loops, each reading one page after another, for the tenants in turn, for `seconds`.
 * Every row of every page is checked against the tenant it was read for.
 */
export async function measure(target: Target, tenantIds: readonly string[], workers: number, seconds: number, signal: AbortSignal): Promise<Run> {
  const actorId = randomUUID();
  const deadline = performance.now() + seconds * 1000;
  let pages = 0;
  let wrongPages = 0;
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineBusyMicros();
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let next = worker; performance.now() < deadline && !signal.aborted; next += workers) {
        const tenantId = tenantIds[next % tenantIds.length]!;
        const rows = await target.readPage(tenantId, actorId);
        if (rows.length !== PAGE_SIZE || rows.some((row) => row.tenant_id !== tenantId)) wrongPages++;
        pages++;
      }
    }),
  );
  const wallMicros = (performance.now() - startedAt) * 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    pages,
    seconds: wallMicros / 1e6,
    pagesPerSecond: pages / (wallMicros / 1e6),
    clientMicrosPerPage: (cpu.user + cpu.system) / pages,
    machineCores: (machineBusyMicros() - machineBefore) / wallMicros,
    wrongPages,
  };
}

function machineBusyMicros(): number {
  return cpus().reduce((sum, { times }) => sum + (times.user + times.nice + times.sys + times.irq) * 1000, 0);
}
