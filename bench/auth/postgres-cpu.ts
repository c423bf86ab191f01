import { readFileSync } from 'node:fs';
import pg from 'pg';

/** /proc/<pid>/stat counts CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
const MICROS_PER_TICK = 10_000;

export interface PostgresCpuMeter {
  /** How many backends are metered: the connections the kit's pool had open when the meter started. */
  readonly backends: number;
  /** CPU time those backends used since the meter started, µs. */
  readMicros(): number;
}

/**
 * Meters the PostgreSQL backends that serve one database, from /proc: it works when PostgreSQL
 * runs on this machine (the system server or the embedded one), which on a 2-core machine is
 * exactly when it competes with the kit for CPU. Undefined when no backend is visible here.
 */
export async function startPostgresCpuMeter(databaseUrl: string): Promise<PostgresCpuMeter | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let pids: number[];
  try {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
    pids = rows.map(({ pid }) => pid).filter(isLocalPostgresProcess);
  } finally {
    await client.end();
  }
  if (pids.length === 0) return undefined;
  const ticksAtStart = pids.map(cpuTicks);
  return {
    backends: pids.length,
    readMicros: () => pids.reduce((sum, pid, index) => sum + Math.max(0, cpuTicks(pid) - ticksAtStart[index]!), 0) * MICROS_PER_TICK,
  };
}

/** A pid from pg_stat_activity names a process here only when PostgreSQL shares this machine's process namespace. */
function isLocalPostgresProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
}

/** User and system time; a backend that has exited counts as none. */
function cpuTicks(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The fields after the command name, which is in parentheses and may itself contain spaces: state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
