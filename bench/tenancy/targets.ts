import { TenantContext, TenantScope } from '@veilig/tenancy';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { PAGE_SQL } from './page-read-table.js';

export interface PageRow {
  readonly id: string;
  readonly tenant_id: string;
}

export type TargetKey = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';

export interface Target {
  readonly key: TargetKey;
  readonly label: string;
  /** Times the client waits for the server per page. */
  readonly roundTrips: number;
  /** Sync points per page: each is a transaction boundary the server reports on and flushes for. */
  readonly syncs: number;
  readPage(tenantId: string, actorId: string): Promise<readonly PageRow[]>;
}

export interface Pools {
  /** The migration role: a superuser that owns the table. */
  readonly owner: DataSource;
  /** The application role, as openAppDataSource opens it. */
  readonly app: DataSource;
  /** The application role, its pool made with node-postgres's `pipeline: true`, for (c). */
  readonly pipelined: DataSource;
}

/** (a) is the baseline; (b) and (d) are the kit's two ways in; (c), (e) and (f) are what they were chosen over. */
export function targets(pools: Pools): readonly Target[] {
  const scope = new TenantScope(pools.app);
  const scoped = (tenantId: string, actorId: string, work: () => Promise<readonly PageRow[]>) => TenantContext.run({ tenantId, actorId }, work);
  const settings = (tenantId: string, actorId: string) => `BEGIN; SET LOCAL app.tenant_id = '${tenantId}'; SET LOCAL app.actor_id = '${actorId}'`;
  return [
    {
      key: 'a',
      label: 'owner, one statement, no row-level security (baseline)',
      roundTrips: 1,
      syncs: 1,
      readPage: (tenantId) => pools.owner.query(PAGE_SQL, [tenantId]),
    },
    {
      key: 'b',
      label: 'TenantScope.query: set_config + statement',
      roundTrips: 1,
      syncs: 1,
      readPage: (tenantId, actorId) => scoped(tenantId, actorId, () => scope.query<PageRow>(PAGE_SQL, [tenantId])),
    },
    {
      key: 'c',
      label: 'BEGIN; SET LOCAL … / statement / COMMIT, pipelined',
      roundTrips: 1,
      syncs: 3,
      readPage: (tenantId, actorId) =>
        onConnection(pools.pipelined, async (connection) => {
          const [, page] = await Promise.all([
            connection.query(settings(tenantId, actorId)),
            connection.query<PageRow>(PAGE_SQL, [tenantId]),
            connection.query('COMMIT'),
          ]);
          return page.rows;
        }),
    },
    {
      key: 'd',
      label: 'TenantScope.run + manager.query',
      roundTrips: 2,
      syncs: 2,
      readPage: (tenantId, actorId) => scoped(tenantId, actorId, () => scope.run((manager) => manager.query(PAGE_SQL, [tenantId]))),
    },
    {
      key: 'e',
      label: 'BEGIN; SET LOCAL … / statement / COMMIT, one by one',
      roundTrips: 3,
      syncs: 3,
      readPage: (tenantId, actorId) =>
        onConnection(pools.app, async (connection) => {
          await connection.query(settings(tenantId, actorId));
          const page = await connection.query<PageRow>(PAGE_SQL, [tenantId]);
          await connection.query('COMMIT');
          return page.rows;
        }),
    },
    {
      key: 'f',
      label: "TypeORM's transaction() + set_config",
      roundTrips: 4,
      syncs: 4,
      readPage: (tenantId, actorId) =>
        pools.app.transaction(async (manager) => {
          await manager.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.actor_id', $2, true)", [tenantId, actorId]);
          return manager.query(PAGE_SQL, [tenantId]);
        }),
    },
  ];
}

async function onConnection<T>(dataSource: DataSource, work: (connection: PoolClient) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    return await work((await runner.connect()) as PoolClient);
  } finally {
    await runner.release();
  }
}
