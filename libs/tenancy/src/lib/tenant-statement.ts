import pg, { type ClientBase, type Connection, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import type { TenantIdentity } from './tenant-context.js';

declare module 'pg' {
  interface Query {
    /**
     * Writes the query's extended-protocol messages, Parse to Sync (node-postgres's own, missing
     * from @types/pg). Called only when the query goes over the extended protocol.
     */
    prepare(connection: Connection): void;
  }
}

/** Bound, never spliced into SQL: the ids reach PostgreSQL as parameter values. */
const SET_TENANT = "SELECT set_config('app.tenant_id', $1, true), set_config('app.actor_id', $2, true)";

/** A statement sent ahead of another; its values go over the wire as text, as given. */
export interface Statement {
  readonly text: string;
  readonly values: ReadonlyArray<string | null>;
}

export class FirstQueryNotSupportedError extends Error {
  override readonly name = 'FirstQueryNotSupportedError';
  constructor() {
    super('A tenant transaction opens with its first query, which must be plain SQL with values; a stream or a callback query can only follow it.');
  }
}

/**
 * A node-postgres query that sends other statements ahead of itself, in the same write and
 * before the same Sync, so that together they cost one round trip. PostgreSQL runs everything
 * up to a Sync as one transaction (an implicit one, unless a BEGIN opens an explicit one), which
 * is what makes a setting made with set_config(…, true) hold for the statements that follow it,
 * and end with them.
 */
class PrecededQuery extends pg.Query {
  constructor(
    config: QueryConfig,
    private readonly preceding: readonly Statement[],
    callback: (error: Error | undefined, results: unknown) => void,
  ) {
    // Always the extended protocol: that is where the preceding statements go, and it takes
    // exactly one statement per Parse, so `config.text` cannot bring a COMMIT of its own.
    super({ ...config, queryMode: 'extended' } as QueryConfig, callback);
  }

  override prepare(connection: Connection): void {
    for (const { text, values } of this.preceding) {
      connection.parse({ name: '', text, types: [] }, true);
      connection.bind({ values: [...values] }, true);
      connection.describe({ type: 'P', name: '' }, true);
      connection.execute({}, true);
    }
    super.prepare(connection);
  }
}

/** Sends the statement of `config` after `preceding`; resolves with the result of that statement. */
function send<T extends QueryResultRow>(connection: ClientBase, config: QueryConfig, preceding: readonly Statement[]): Promise<QueryResult<T>> {
  return new Promise((resolve, reject) => {
    const query = new PrecededQuery(config, preceding, (error, results) => {
      // One result per statement; fewer when the statement was empty, which has none.
      if (error) reject(error);
      else if (Array.isArray(results) && results.length === preceding.length + 1) resolve(results.at(-1) as QueryResult<T>);
      else reject(new Error('the statement produced no result'));
    });
    connection.query(query);
  });
}

function setTenant({ tenantId, actorId }: TenantIdentity): Statement {
  return { text: SET_TENANT, values: [tenantId, actorId] };
}

/**
 * One statement as a transaction of its own, in one round trip: the tenant settings and the
 * statement before one Sync, an implicit transaction that needs no BEGIN and no COMMIT.
 */
export async function queryAsTenant<T extends QueryResultRow>(
  connection: ClientBase,
  identity: TenantIdentity,
  sql: string,
  values: readonly unknown[],
): Promise<T[]> {
  return (await send<T>(connection, { text: sql, values: [...values] }, [setTenant(identity)])).rows;
}

/**
 * Ends the open transaction with COMMIT, sending `statements` ahead of it in the same write: the
 * statements and the commit cost one round trip together. Resolves with COMMIT's command tag,
 * which is ROLLBACK when the transaction had failed; rejects with a statement's error (the server
 * then skips the COMMIT, and the transaction is left aborted for the caller to roll back).
 */
export async function commitAfter(connection: ClientBase, statements: readonly Statement[]): Promise<string> {
  if (statements.length === 0) return (await connection.query('COMMIT')).command;
  return (await send(connection, { text: 'COMMIT', values: [] }, statements)).command;
}

export interface PendingTenantTransaction {
  /** Whether the first query went out, and with it BEGIN and the settings. */
  isOpen(): boolean;
  /** Stops waiting for a first query: the connection's `query` is node-postgres's own again. */
  stopWaiting(): void;
}

/**
 * Makes the next plain query on `connection` open the tenant transaction: BEGIN, the settings
 * and that query go out in one write, before one Sync, so opening the transaction costs no
 * round trip of its own, and work that sends nothing costs nothing. Until then `query` is
 * replaced on this one connection object, which the caller holds alone, and `stopWaiting()`
 * must be called before the connection goes back to the pool.
 */
export function openOnFirstQuery(connection: ClientBase, identity: TenantIdentity): PendingTenantTransaction {
  let open = false;
  const stopWaiting = () => Reflect.deleteProperty(connection, 'query');
  const first = (config: unknown, values?: unknown, callback?: unknown): Promise<QueryResult> => {
    const query = typeof config === 'string' ? { text: config, values } : config;
    if (callback !== undefined || !isPlainQuery(query)) throw new FirstQueryNotSupportedError();
    stopWaiting();
    open = true;
    return send(connection, { text: query.text, values: Array.isArray(query.values) ? [...query.values] : [] }, [
      { text: 'BEGIN', values: [] },
      setTenant(identity),
    ]);
  };
  Object.defineProperty(connection, 'query', { value: first, configurable: true, writable: true });
  return { isOpen: () => open, stopWaiting };
}

function isPlainQuery(query: unknown): query is { text: string; values?: unknown } {
  return typeof query === 'object' && query !== null && !('submit' in query) && typeof (query as { text?: unknown }).text === 'string';
}
