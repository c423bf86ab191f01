import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolClient, QueryConfig, QueryResultRow } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { TenantContext, type TenantIdentity } from './tenant-context.js';
import { commitAfter, openOnFirstQuery, queryAsTenant, type Statement } from './tenant-statement.js';

/** Where a tenant's rows live: the shared database, or (dedicated mode) one of its own. */
export interface TenantDataSources {
  dataSourceFor(tenantId: string): Promise<DataSource>;
}

/**
 * A statement inside `run` failed but the work carried on and returned: PostgreSQL has already
 * aborted the transaction and would answer COMMIT with ROLLBACK, so nothing of it was saved.
 */
export class TenantTransactionAbortedError extends Error {
  override readonly name = 'TenantTransactionAbortedError';
  constructor() {
    super('A statement in the tenant transaction failed, so it was rolled back although the work returned normally.');
  }
}

/** Work asked for a second tenant while a transaction for another one is open in the same async flow. */
export class TenantScopeConflictError extends Error {
  override readonly name = 'TenantScopeConflictError';
  constructor() {
    super('A tenant transaction for another tenant or actor is already open here; tenant transactions do not nest across tenants.');
  }
}

interface OpenTransaction {
  readonly identity: TenantIdentity;
  readonly runner: QueryRunner;
  /** Statements to send with the COMMIT (atCommit). */
  readonly atCommit: Statement[];
}

/**
 * The only way feature code reaches tenant-owned tables: each call is one transaction on one
 * pooled connection in which app.tenant_id and app.actor_id are set, transaction-locally, from
 * TenantContext, so row-level security sees the session's tenant and nothing else. The settings
 * end with the transaction, so the connection goes back to the pool without a tenant.
 *
 * Round trips are what a tenant transaction costs (docs/tenancy.md has the measurements):
 * - `query` sends the settings and its one statement together, before one Sync: one round trip,
 *   and hardly more work for PostgreSQL than the statement alone.
 * - `run` sends BEGIN and the settings together with the work's first query, and COMMIT after
 *   the work: two round trips for a single query, and one more for each further query;
 *   statements queued with `atCommit` travel with the COMMIT and cost none.
 */
export class TenantScope {
  private readonly dataSources: TenantDataSources;
  private readonly open = new AsyncLocalStorage<OpenTransaction>();

  constructor(target: DataSource | TenantDataSources) {
    this.dataSources = 'dataSourceFor' in target ? target : { dataSourceFor: async () => target };
  }

  /**
   * Runs `work` in a transaction of the current tenant and commits it, or rolls it back when
   * `work` throws. `manager` is bound to that transaction: repositories taken from it
   * (`manager.getRepository(Note)`) are tenant-scoped, and `manager.transaction()` inside it
   * makes a savepoint. A `run` or `query` inside `work` joins the same transaction.
   */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const identity = TenantContext.current();
    const joined = this.joinable(identity);
    if (joined) return work(joined.runner.manager);
    return this.onConnection(identity, async (runner, connection) => {
      const transaction = openOnFirstQuery(connection, identity);
      // TypeORM did not start this transaction, so tell it one is open: otherwise `save()`
      // would send its own START TRANSACTION and COMMIT ours half-way, and a nested
      // `manager.transaction()` would do the same instead of making a savepoint.
      Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
      const open: OpenTransaction = { identity, runner, atCommit: [] };
      try {
        const result = await this.open.run(open, () => work(runner.manager));
        const pending = [...open.atCommit];
        // Work that sent nothing but statements for the commit: the first of them opens the transaction.
        const first = transaction.isOpen() ? undefined : pending.shift();
        if (first) await connection.query(first.text, [...first.values]);
        if (transaction.isOpen()) {
          // Not TypeORM's commitTransaction(): it cannot tell a COMMIT from the ROLLBACK that
          // PostgreSQL answers when a statement failed and the work caught that and carried on.
          const command = await commitAfter(connection, pending);
          if (command !== 'COMMIT') throw new TenantTransactionAbortedError();
        }
        return result;
      } catch (error) {
        // Whatever the connection reports: a failed statement's error arrives before the
        // server's news that the transaction is aborted.
        if (transaction.isOpen()) await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        transaction.stopWaiting();
      }
    });
  }

  /**
   * One statement as a tenant transaction of its own, for repositories written in SQL (as
   * `queryRows` is for tables without a tenant): one round trip. The statement goes over the
   * extended protocol, which takes exactly one statement, so `sql` cannot end the transaction
   * early or run anything after it.
   */
  async query<T extends QueryResultRow>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
    const identity = TenantContext.current();
    const joined = this.joinable(identity);
    if (!joined) return this.onConnection(identity, (_runner, connection) => queryAsTenant<T>(connection, identity, sql, parameters));
    const connection = (await joined.runner.connect()) as PoolClient;
    const statement: QueryConfig & { queryMode: 'extended' } = { text: sql, values: [...parameters], queryMode: 'extended' };
    return (await connection.query<T>(statement)).rows;
  }

  /**
   * A statement whose result nobody waits for (an audit row): inside `run` it is sent with the
   * COMMIT, in the same write, so it costs no round trip of its own and commits or rolls back
   * with the work; outside `run` it is a one-statement transaction now. Either way it has run
   * when the work that asked for it has returned.
   */
  async atCommit(sql: string, parameters: ReadonlyArray<string | null> = []): Promise<void> {
    const joined = this.joinable(TenantContext.current());
    if (joined) joined.atCommit.push({ text: sql, values: [...parameters] });
    else await this.query(sql, parameters);
  }

  private joinable(identity: TenantIdentity): OpenTransaction | undefined {
    const open = this.open.getStore();
    if (!open) return undefined;
    if (open.identity.tenantId !== identity.tenantId || open.identity.actorId !== identity.actorId) throw new TenantScopeConflictError();
    return open;
  }

  private async onConnection<T>(identity: TenantIdentity, work: (runner: QueryRunner, connection: PoolClient) => Promise<T>): Promise<T> {
    const dataSource = await this.dataSources.dataSourceFor(identity.tenantId);
    const runner = dataSource.createQueryRunner();
    let connection: PoolClient | undefined;
    try {
      connection = (await runner.connect()) as PoolClient;
      return await work(runner, connection);
    } finally {
      // A connection still inside a transaction (work that sent its own COMMIT and BEGIN, or
      // left a query running) would hand this tenant's settings to the next request that takes
      // it from the pool. A ROLLBACK that fails means a broken connection, which the pool drops.
      if (connection && connection.getTransactionStatus() !== 'I') await connection.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }
}
